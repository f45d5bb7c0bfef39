// Walks the audit chain from the first entry and reports the FIRST entry (or checkpoint) that does
// not hold: a changed row, a missing or inserted row, a broken link, a checkpoint that names a head
// the chain no longer has, or a seal that does not verify.
import type { Database } from '../store/Database.js';
import { entryHash, GENESIS_HASH, rowToEntry, type AuditRow } from './AuditLog.js';
import { checkpointStatement, type CheckpointSealer } from './AuditCheckpointer.js';

export interface AuditProblem {
  readonly kind: 'entry' | 'checkpoint';
  /** audit_log.id or audit_checkpoints.id */
  readonly id: number;
  readonly problem: string;
}

export interface AuditVerification {
  readonly valid: boolean;
  readonly entries: number;
  readonly head: { id: number; hash: string } | null;
  readonly checkpoints: { readonly count: number; readonly sealsVerified: number };
  readonly firstProblem: AuditProblem | null;
}

interface CheckpointRow {
  id: number;
  entry_id: number;
  head_hash: string;
  at: string;
  statement: string;
  signature: Buffer;
}

export async function verifyAuditLog(db: Database, sealer?: CheckpointSealer): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let expectedId = 1;
  let entries = 0;
  let firstProblem: AuditProblem | null = null;
  const hashes = new Map<number, string>();
  for (const row of db.sql.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as Iterable<AuditRow>) {
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
  const checkpoints = db.sql.prepare('SELECT * FROM audit_checkpoints ORDER BY id').all() as CheckpointRow[];
  let sealsVerified = 0;
  if (!firstProblem) {
    for (const cp of checkpoints) {
      const problem = await checkCheckpoint(cp, hashes, sealer);
      if (problem) {
        firstProblem = { kind: 'checkpoint', id: cp.id, problem };
        break;
      }
      if (sealer) sealsVerified += 1;
    }
  }
  const head = entries > 0 && !firstProblem ? { id: expectedId - 1, hash: prevHash } : null;
  return {
    valid: firstProblem === null,
    entries,
    head,
    checkpoints: { count: checkpoints.length, sealsVerified },
    firstProblem,
  };
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

async function checkCheckpoint(
  cp: CheckpointRow,
  hashes: Map<number, string>,
  sealer?: CheckpointSealer,
): Promise<string | null> {
  const chained = hashes.get(cp.entry_id);
  if (chained === undefined) return `names entry ${cp.entry_id}, which the log no longer has (entries deleted)`;
  if (chained !== cp.head_hash)
    return `names head ${cp.head_hash.slice(0, 12)}… but entry ${cp.entry_id} has ${chained.slice(0, 12)}…`;
  const statement = checkpointStatement({ entryId: cp.entry_id, headHash: cp.head_hash, at: cp.at });
  if (statement !== cp.statement) return 'the stored statement does not match the checkpoint fields';
  if (!sealer) return null;
  const result = await sealer.verify(new TextEncoder().encode(statement), new Uint8Array(cp.signature));
  return result.valid ? null : `the platform seal does not verify: ${result.problem ?? 'invalid signature'}`;
}
