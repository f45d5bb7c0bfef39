// ID card reading (issue 15 §2): the handling clerk asks the server to read an ID snapshot that the
// server itself took from the applicant's recorded video; tesseract reads the card, the fields are
// checked (number checksum, HMAC match with the case's applicant, birth date and sex against the
// number, name against the case, validity dates), and the result is kept in the database and
// chained into the recording beside the snapshot. It is advice for the clerk: nothing is refused or
// decided on it. The ID number is kept and shown masked only.
import { randomUUID } from 'node:crypto';
import type { IdCheck, IdCardFields, IdChecks, IdRead } from '../../../protocol/http/id-check.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, ConflictError, NotFoundError } from '../../kernel/errors.js';
import { actorOf, type UserPrincipal } from '../../kernel/principal.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { Database } from '../../kernel/store/Database.js';
import { maskIdNumber, type CaseService } from '../cases/index.js';
import type { RecordingService } from '../recording/index.js';
import type { SessionService } from '../sessions/index.js';
import { caseSessionOf } from './case-session.js';
import type { CardRead } from './id-card/id-card-fields.js';
import { readIdCard } from './id-card/read-id-card.js';
import { allPassed, backChecks, frontChecks, mergedChecks, uncheckedIds } from './id-card/id-checks.js';
import { tesseractVersion, type TesseractOptions } from './id-card/tesseract.js';

export interface IdCheckServiceDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly blobs: BlobStore;
  readonly cases: CaseService;
  readonly sessions: SessionService;
  readonly recording: RecordingService;
  readonly ocr?: TesseractOptions;
}

interface IdReadRow {
  id: string;
  snapshotId: string;
  side: IdRead['side'];
  fields: string;
  checks: string;
  engine: string;
  elapsedMs: number;
  chainIndex: number | null;
  chainHash: string | null;
  readAt: string;
}

/** The models the card is read with (Debian's tesseract-ocr-chi-sim; tesseract-ocr-eng for digits). */
const LANG = 'chi_sim (eng for the number)';
/** Validity dates are printed in China's calendar day (UTC+8). */
const CHINA_OFFSET_MS = 8 * 3600_000;

export class IdCheckService {
  readonly #d: IdCheckServiceDeps;
  #engine: Promise<string> | undefined;

  constructor(deps: IdCheckServiceDeps) {
    this.#d = deps;
  }

  /** `tesseract 5.3.0 (leptonica-1.82.0) chi_sim`, asked of the binary once. */
  engine(): Promise<string> {
    this.#engine ??= tesseractVersion(this.#d.ocr).then((v) => `${v} ${LANG}`);
    this.#engine.catch(() => (this.#engine = undefined));
    return this.#engine;
  }

  async read(clerk: UserPrincipal, caseId: string, snapshotId: string): Promise<IdRead> {
    const { db, cases, sessions, blobs, recording, audit, clock } = this.#d;
    const c = await cases.get(caseId);
    const session = await caseSessionOf(sessions, clerk, c, 'handling');
    const snap = await db.get<{ kind: string; sha256: string; sessionId: string; chainIndex: number | null }>(
      'SELECT kind, sha256, session_id AS "sessionId", chain_index AS "chainIndex" FROM snapshots WHERE case_id = ? AND id = ?',
      [caseId, snapshotId],
    );
    if (!snap) throw new NotFoundError('snapshot');
    if (snap.kind !== 'id' || snap.sessionId !== session.id)
      throw new ConflictError("only an ID snapshot of this session's recording is read", 'snapshot_not_id');

    const started = performance.now();
    let card: CardRead;
    let engine: string;
    try {
      engine = await this.engine();
      card = await readIdCard(await blobs.get(snap.sha256), this.#d.ocr);
    } catch (err) {
      throw new AppError('ocr_unavailable', `the ID card could not be read: ${(err as Error).message}`, 503);
    }
    const elapsedMs = Math.round(performance.now() - started);
    const now = clock();
    const today = new Date(now.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
    // The case's keyed HMAC is compared asynchronously: asked once, for the number the card shows.
    const readId = card.side === 'front' ? card.fields.idNumber?.value : undefined;
    const readIdMatches = readId !== undefined && (await cases.applicantIdMatches(caseId, readId));
    const checks: IdChecks =
      card.side === 'front'
        ? frontChecks(card.fields, {
            name: c.applicant.name,
            idMatches: (id) => id === readId && readIdMatches,
          })
        : card.side === 'back'
          ? backChecks(card.fields, today)
          : uncheckedIds;
    const fields: IdCardFields = { ...card.fields };
    if (card.side === 'front' && card.fields.idNumber)
      fields.idNumber = { ...card.fields.idNumber, value: maskIdNumber(card.fields.idNumber.value) };

    const id = randomUUID();
    const participant = (await sessions.joinedApplicant(session.id))?.participantId ?? 'server';
    const entry = {
      format: 'tongban-id-read/1',
      id,
      caseId,
      snapshot: { id: snapshotId, sha256: snap.sha256, chainIndex: snap.chainIndex },
      side: card.side,
      fields,
      checks,
      engine,
      elapsedMs,
      readAt: now.toISOString(),
    };
    const link = await recording.appendEntry(
      session.id,
      participant,
      'id-read',
      Buffer.from(`${JSON.stringify(entry, null, 2)}\n`, 'utf8'),
    );
    const result: IdRead = {
      id,
      snapshotId,
      side: card.side,
      fields,
      checks,
      engine,
      elapsedMs,
      chainIndex: link.index,
      chainHash: link.chainHash,
      readAt: now.toISOString(),
    };
    await db.transaction(async () => {
      await db.run(
        `INSERT INTO id_reads (id, case_id, session_id, snapshot_id, side, fields_json, checks_json, engine, elapsed_ms,
           chain_index, chain_hash, read_by, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          caseId,
          session.id,
          snapshotId,
          card.side,
          JSON.stringify(fields),
          JSON.stringify(checks),
          engine,
          elapsedMs,
          link.index,
          link.chainHash,
          clerk.userId,
          result.readAt,
        ],
      );
      await audit.append({
        actor: actorOf(clerk),
        action: 'identity.id_read',
        target: `case:${caseId}`,
        siteId: clerk.siteId,
        details: { read: id, snapshot: snapshotId, side: card.side, checks, engine, chainIndex: link.index },
      });
    });
    return result;
  }

  /** The latest front and back reads of the case merged (undefined before any ID snapshot was read). */
  async check(caseId: string): Promise<IdCheck | undefined> {
    // Reads of one instant are ordered by their place in the recording chain (was SQLite's rowid).
    const rows = await this.#d.db.all<IdReadRow>(
      `SELECT id, snapshot_id AS "snapshotId", side, fields_json AS fields, checks_json AS checks, engine,
         elapsed_ms AS "elapsedMs", chain_index AS "chainIndex", chain_hash AS "chainHash", read_at AS "readAt"
       FROM id_reads WHERE case_id = ? ORDER BY read_at, chain_index`,
      [caseId],
    );
    if (rows.length === 0) return undefined;
    const latest = (side: IdRead['side']) => {
      const row = rows.filter((r) => r.side === side).pop();
      return row ? ({ ...row, fields: JSON.parse(row.fields), checks: JSON.parse(row.checks) } as IdRead) : null;
    };
    const front = latest('front');
    const back = latest('back');
    const checks = mergedChecks(front?.checks, back?.checks);
    return {
      front,
      back,
      fields: { ...front?.fields, ...back?.fields },
      checks,
      allPassed: allPassed(checks),
    };
  }
}
