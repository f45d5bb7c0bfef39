// The face checks' SQL (migration 043): the identity document reads a session's checks from here,
// the FaceCheckService writes them.
import type { FaceCheck, FaceCheckDecision } from '../../../../protocol/http/face-check.js';
import type { Database } from '../../../kernel/store/Database.js';

interface Row extends Omit<FaceCheck, 'details' | 'decision'> {
  readonly details: string;
  readonly decision: FaceCheckDecision | null;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionChainIndex: number | null;
}

const SELECT = `SELECT c.id, c.case_id AS caseId, c.session_id AS sessionId, c.kind, c.prompt, c.label, c.score,
  c.threshold, c.model, c.model_version AS modelVersion, c.analysis_ms AS analysisMs, c.details, c.offset_ms AS offsetMs,
  c.chain_index AS chainIndex, c.chain_hash AS chainHash, c.checked_by AS checkedBy, c.checked_at AS checkedAt,
  d.decision, d.decided_by AS decidedBy, d.decided_at AS decidedAt, d.chain_index AS decisionChainIndex
  FROM face_checks c LEFT JOIN face_check_decisions d ON d.check_id = c.id`;

const fromRow = ({ details, decision, decidedBy, decidedAt, decisionChainIndex, ...rest }: Row): FaceCheck => ({
  ...rest,
  details: JSON.parse(details) as FaceCheck['details'],
  decision: decision
    ? { decision, decidedBy: decidedBy!, decidedAt: decidedAt!, chainIndex: decisionChainIndex! }
    : null,
});

export class FaceCheckStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  insert(check: Omit<FaceCheck, 'decision'>): void {
    this.#db.sql
      .prepare(
        `INSERT INTO face_checks (id, case_id, session_id, kind, prompt, label, score, threshold, model, model_version,
           analysis_ms, details, offset_ms, chain_index, chain_hash, checked_by, checked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        check.id,
        check.caseId,
        check.sessionId,
        check.kind,
        check.prompt,
        check.label,
        check.score,
        check.threshold,
        check.model,
        check.modelVersion,
        check.analysisMs,
        JSON.stringify(check.details),
        check.offsetMs,
        check.chainIndex,
        check.chainHash,
        check.checkedBy,
        check.checkedAt,
      );
  }

  decide(checkId: string, d: NonNullable<FaceCheck['decision']> & { readonly chainHash: string }): void {
    this.#db.sql
      .prepare(
        `INSERT INTO face_check_decisions (check_id, decision, decided_by, decided_at, chain_index, chain_hash)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(checkId, d.decision, d.decidedBy, d.decidedAt, d.chainIndex, d.chainHash);
  }

  get(caseId: string, id: string): FaceCheck | undefined {
    const row = this.#db.sql.prepare(`${SELECT} WHERE c.case_id = ? AND c.id = ?`).get(caseId, id) as Row | undefined;
    return row && fromRow(row);
  }

  forCase(caseId: string): FaceCheck[] {
    const rows = this.#db.sql.prepare(`${SELECT} WHERE c.case_id = ? ORDER BY c.checked_at, c.id`).all(caseId) as Row[];
    return rows.map(fromRow);
  }

  forSession(sessionId: string): FaceCheck[] {
    const rows = this.#db.sql
      .prepare(`${SELECT} WHERE c.session_id = ? ORDER BY c.checked_at, c.id`)
      .all(sessionId) as Row[];
    return rows.map(fromRow);
  }

  /** With the record's snapshots (the decisions go with their checks). */
  deleteForCase(caseId: string): void {
    this.#db.sql
      .prepare('DELETE FROM face_check_decisions WHERE check_id IN (SELECT id FROM face_checks WHERE case_id = ?)')
      .run(caseId);
    this.#db.sql.prepare('DELETE FROM face_checks WHERE case_id = ?').run(caseId);
  }
}
