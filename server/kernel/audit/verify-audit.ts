// Walks the audit chain from the first entry and reports the FIRST thing that does not hold: a
// changed row, a missing or inserted row, a broken link; a checkpoint that is missing from the
// chain of checkpoints, names a head the chain no longer has, or whose seal or time-stamp does not
// verify; an anchor that disagrees with the database's checkpoints or names entries the log no
// longer has (a dropped tail); entries that have waited too long for a checkpoint.
import type { Database } from '../store/Database.js';
import { entryHash, GENESIS_HASH, rowToEntry, type AuditRow } from './AuditLog.js';
import {
  checkpointHash,
  checkpointStatement,
  legacyCheckpointStatement,
  type CheckpointSealer,
} from './AuditCheckpointer.js';
import type { AuditAnchor } from './AuditAnchor.js';

export interface AuditProblem {
  /** `log`: entries without a timely checkpoint. */
  readonly kind: 'entry' | 'checkpoint' | 'anchor' | 'log';
  /** audit_log.id (entry, log) or the checkpoint's sequence number (checkpoint, anchor; 0: the anchor as a whole) */
  readonly id: number;
  readonly problem: string;
}

export interface AuditVerification {
  readonly valid: boolean;
  readonly entries: number;
  readonly head: { id: number; hash: string } | null;
  readonly checkpoints: { readonly count: number; readonly sealsVerified: number };
  /** The anchor compared with, and how many heads it holds (null: none given). */
  readonly anchor: { readonly location: string; readonly heads: number } | null;
  readonly firstProblem: AuditProblem | null;
}

export interface AuditVerifyOptions {
  /** Checks each checkpoint's seal and time-stamp. */
  readonly sealer?: CheckpointSealer;
  /** Compares the database's checkpoints with the heads anchored outside it. */
  readonly anchor?: AuditAnchor;
  /** Entries after the last checkpoint may be at most this old. */
  readonly maxUnanchoredMs?: number;
  readonly now?: Date;
}

interface CheckpointRow {
  id: number;
  entry_id: number;
  head_hash: string;
  at: string;
  statement: string;
  signature: Buffer;
  timestamp_token: Buffer | null;
}

/** How far a checkpoint's TSA time may lie from the time it claims. */
const TIMESTAMP_SKEW_MS = 5 * 60_000;

export async function verifyAuditLog(db: Database, options: AuditVerifyOptions = {}): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let expectedId = 1;
  let entries = 0;
  let firstProblem: AuditProblem | null = null;
  const hashes = new Map<number, string>();
  for await (const row of entriesInOrder(db)) {
    entries += 1;
    const problem = checkEntry(row, expectedId, prevHash);
    if (problem) {
      firstProblem = { kind: 'entry', id: row.id, problem };
      break;
    }
    hashes.set(row.id, row.hash);
    prevHash = row.hash;
    expectedId = row.id + 1;
  }
  const lastEntry = expectedId - 1;
  const checkpoints = await db.all<CheckpointRow>('SELECT * FROM audit_checkpoints ORDER BY id');
  let sealsVerified = 0;
  if (!firstProblem) {
    let previous: CheckpointRow | undefined;
    for (const cp of checkpoints) {
      const problem = await checkCheckpoint(cp, previous, hashes, options.sealer);
      if (problem) {
        firstProblem = { kind: 'checkpoint', id: cp.id, problem };
        break;
      }
      if (options.sealer) sealsVerified += 1;
      previous = cp;
    }
  }
  let anchor: AuditVerification['anchor'] = null;
  if (options.anchor) {
    const compared = await compareWithAnchor(options.anchor, checkpoints, hashes, lastEntry);
    anchor = { location: options.anchor.location, heads: compared.heads };
    firstProblem ??= compared.problem;
  }
  if (!firstProblem && options.maxUnanchoredMs !== undefined)
    firstProblem = await checkUnanchored(db, checkpoints.at(-1)?.entry_id ?? 0, options.maxUnanchoredMs, options.now);
  const head = entries > 0 && !firstProblem ? { id: lastEntry, hash: prevHash } : null;
  return {
    valid: firstProblem === null,
    entries,
    head,
    checkpoints: { count: checkpoints.length, sealsVerified },
    anchor,
    firstProblem,
  };
}

/** Rows this many at a time: a long log is walked without holding it all in memory. */
const PAGE = 2000;

/** The log in id order, a page at a time (by id, so rows appended meanwhile are read too). */
async function* entriesInOrder(db: Database): AsyncGenerator<AuditRow> {
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = await db.all<AuditRow>('SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?', [after, PAGE]);
    yield* rows;
    if (rows.length < PAGE) return;
    after = rows.at(-1)!.id;
  }
}

function checkEntry(row: AuditRow, expectedId: number, prevHash: string): string | null {
  if (row.id !== expectedId)
    return `expected entry ${expectedId} next but found ${row.id} (entries missing or inserted)`;
  if (row.prev_hash !== prevHash)
    return `prev_hash ${row.prev_hash.slice(0, 12)}… does not link to the previous entry's hash ${prevHash.slice(0, 12)}…`;
  let entry;
  try {
    entry = rowToEntry(row);
  } catch {
    return 'details are not valid JSON';
  }
  const recomputed = entryHash(entry);
  if (recomputed !== row.hash)
    return `stored hash ${row.hash.slice(0, 12)}… does not match its contents (recomputed ${recomputed.slice(0, 12)}…): the row was changed`;
  return null;
}

const isLegacy = (cp: CheckpointRow) => cp.timestamp_token === null;

async function checkCheckpoint(
  cp: CheckpointRow,
  previous: CheckpointRow | undefined,
  hashes: Map<number, string>,
  sealer?: CheckpointSealer,
): Promise<string | null> {
  const seq = (previous?.id ?? 0) + 1;
  if (cp.id !== seq)
    return `checkpoint #${seq} is missing (#${cp.id} follows #${seq - 1}): the chain of checkpoints is broken`;
  const chained = hashes.get(cp.entry_id);
  if (chained === undefined) return `names entry ${cp.entry_id}, which the log no longer has (entries deleted)`;
  if (chained !== cp.head_hash)
    return `names head ${cp.head_hash.slice(0, 12)}… but entry ${cp.entry_id} has ${chained.slice(0, 12)}…`;
  if (previous && cp.entry_id <= previous.entry_id)
    return `names entry ${cp.entry_id}, not after checkpoint #${previous.id}'s entry ${previous.entry_id}`;
  let statement: string;
  if (isLegacy(cp)) {
    // Sealed before anchoring: allowed only before the first chained checkpoint.
    if (previous && !isLegacy(previous)) return 'has no time-stamp and no link to the previous checkpoint';
    statement = legacyCheckpointStatement({ entryId: cp.entry_id, headHash: cp.head_hash, at: cp.at });
  } else {
    const prevCheckpoint = previous ? checkpointHash(previous.statement) : GENESIS_HASH;
    if (!cp.statement.includes(`"prev_checkpoint":"${prevCheckpoint}"`))
      return `does not link to checkpoint #${seq - 1} (a checkpoint before it was replaced or deleted)`;
    statement = checkpointStatement({ seq, entryId: cp.entry_id, headHash: cp.head_hash, at: cp.at, prevCheckpoint });
  }
  if (statement !== cp.statement) return 'the stored statement does not match the checkpoint fields';
  if (!sealer) return null;
  const bytes = new TextEncoder().encode(statement);
  const sealed = await sealer.verify(bytes, new Uint8Array(cp.signature));
  if (!sealed.valid) return `the platform seal does not verify: ${sealed.problem ?? 'invalid signature'}`;
  if (cp.timestamp_token === null) return null;
  const stamped = await sealer.verifyTimestamp(bytes, new Uint8Array(cp.timestamp_token));
  if (!stamped.valid) return `the time-stamp does not verify: ${stamped.problem ?? 'invalid token'}`;
  if (!stamped.time || Math.abs(stamped.time.getTime() - Date.parse(cp.at)) > TIMESTAMP_SKEW_MS)
    return `claims ${cp.at} but was time-stamped at ${stamped.time?.toISOString() ?? '?'}`;
  return null;
}

async function compareWithAnchor(
  anchor: AuditAnchor,
  checkpoints: readonly CheckpointRow[],
  hashes: Map<number, string>,
  lastEntry: number,
): Promise<{ heads: number; problem: AuditProblem | null }> {
  const anchored = checkpoints.filter((cp) => !isLegacy(cp));
  const reading = await anchor.read();
  const fail = (id: number, problem: string) => ({ kind: 'anchor' as const, id, problem });
  if (reading.status === 'missing')
    return {
      heads: 0,
      problem: anchored.length
        ? fail(
            0,
            `the anchor ${anchor.location} is missing, but the database has ${anchored.length} anchored checkpoints`,
          )
        : null,
    };
  if (reading.status === 'unreadable')
    return { heads: 0, problem: fail(0, `the anchor ${anchor.location}: ${reading.problem}`) };
  const { records } = reading;
  const heads = records.length;
  const last = records.at(-1);
  if (last && last.entryId > lastEntry)
    return {
      heads,
      problem: fail(
        last.seq,
        `entries dropped from the end: the anchored checkpoint #${last.seq} names entry ${last.entryId}, the log ends at ${lastEntry}`,
      ),
    };
  for (const r of records) {
    const hash = hashes.get(r.entryId);
    if (hash !== undefined && hash !== r.headHash)
      return {
        heads,
        problem: fail(
          r.seq,
          `the anchor pins entry ${r.entryId} to head ${r.headHash.slice(0, 12)}…, the log has ${hash.slice(0, 12)}…: the chain was rewritten`,
        ),
      };
  }
  const bySeq = new Map(records.map((r) => [r.seq, r]));
  for (const cp of anchored) {
    const r = bySeq.get(cp.id);
    if (!r)
      return {
        heads,
        problem: fail(
          cp.id,
          `checkpoint #${cp.id} is not in the anchor (the anchor was truncated, or the checkpoint forged)`,
        ),
      };
    if (r.checkpointHash !== checkpointHash(cp.statement))
      return { heads, problem: fail(cp.id, `checkpoint #${cp.id} differs from the anchored head`) };
  }
  const inDb = new Set(anchored.map((cp) => cp.id));
  const lost = records.find((r) => !inDb.has(r.seq));
  if (lost)
    return {
      heads,
      problem: fail(
        lost.seq,
        `the anchor has checkpoint #${lost.seq} (entry ${lost.entryId}), the database does not (checkpoints deleted)`,
      ),
    };
  return { heads, problem: null };
}

async function checkUnanchored(
  db: Database,
  anchoredUpTo: number,
  maxMs: number,
  now = new Date(),
): Promise<AuditProblem | null> {
  const oldest = await db.get<{ id: number; at: string }>(
    'SELECT id, at FROM audit_log WHERE id > ? ORDER BY id LIMIT 1',
    [anchoredUpTo],
  );
  if (!oldest || now.getTime() - Date.parse(oldest.at) <= maxMs) return null;
  return {
    kind: 'log',
    id: oldest.id,
    problem: `entries from #${oldest.id} (${oldest.at}) on have no checkpoint for longer than ${Math.round(maxMs / 1000)} s (checkpoints deleted or the server stopped sealing)`,
  };
}
