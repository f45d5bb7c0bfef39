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

const SELECT = `SELECT c.id, c.case_id AS "caseId", c.session_id AS "sessionId", c.kind, c.prompt, c.label, c.score,
  c.threshold, c.model, c.model_version AS "modelVersion", c.analysis_ms AS "analysisMs", c.details, c.offset_ms AS "offsetMs",
  c.chain_index AS "chainIndex", c.chain_hash AS "chainHash", c.checked_by AS "checkedBy", c.checked_at AS "checkedAt",
  d.decision, d.decided_by AS "decidedBy", d.decided_at AS "decidedAt", d.chain_index AS "decisionChainIndex"
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

  async insert(check: Omit<FaceCheck, 'decision'>): Promise<void> {
    await this.#db.run(
      `INSERT INTO face_checks (id, case_id, session_id, kind, prompt, label, score, threshold, model, model_version,
         analysis_ms, details, offset_ms, chain_index, chain_hash, checked_by, checked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
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
      ],
    );
  }

  /** Records the decision unless the check has one already (false then): one decision per check, on any node. */
  async decide(
    checkId: string,
    d: NonNullable<FaceCheck['decision']> & { readonly chainHash: string },
  ): Promise<boolean> {
    const r = await this.#db.run(
      `INSERT INTO face_check_decisions (check_id, decision, decided_by, decided_at, chain_index, chain_hash)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (check_id) DO NOTHING`,
      [checkId, d.decision, d.decidedBy, d.decidedAt, d.chainIndex, d.chainHash],
    );
    return r.changes === 1;
  }

  async get(caseId: string, id: string): Promise<FaceCheck | undefined> {
    const row = await this.#db.get<Row>(`${SELECT} WHERE c.case_id = ? AND c.id = ?`, [caseId, id]);
    return row && fromRow(row);
  }

  async forCase(caseId: string): Promise<FaceCheck[]> {
    const rows = await this.#db.all<Row>(`${SELECT} WHERE c.case_id = ? ORDER BY c.checked_at, c.id`, [caseId]);
    return rows.map(fromRow);
  }

  async forSession(sessionId: string): Promise<FaceCheck[]> {
    const rows = await this.#db.all<Row>(`${SELECT} WHERE c.session_id = ? ORDER BY c.checked_at, c.id`, [sessionId]);
    return rows.map(fromRow);
  }

  /** With the record's snapshots (the decisions go with their checks). */
  async deleteForCase(caseId: string): Promise<void> {
    await this.#db.run(
      'DELETE FROM face_check_decisions WHERE check_id IN (SELECT id FROM face_checks WHERE case_id = ?)',
      [caseId],
    );
    await this.#db.run('DELETE FROM face_checks WHERE case_id = ?', [caseId]);
  }
}
