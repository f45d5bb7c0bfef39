// Retention rules: a record is kept for its matter's (or its ceremony kind's) retention period from
// archiving, and never deleted while under legal hold. The rules are pure functions, testable on
// their own; `doomed` and `deletionPlan` say what a deletion destroys, for the sweep, an admin's
// deletion and the console's preview alike (one computation, so the preview is what goes).
import { ConflictError } from '../../kernel/errors.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { Database } from '../../kernel/store/Database.js';
import type { RecordingService } from '../recording/index.js';
import { blobsOnlyOf } from './record-blobs.js';
import type { RecordRow, RecordStore } from './record-store.js';

const DAY_MS = 86_400_000;

export function retainUntil(archivedAt: Date, retentionDays: number): string {
  return new Date(archivedAt.getTime() + retentionDays * DAY_MS).toISOString();
}

export interface RetentionFacts {
  readonly legalHold: boolean;
  readonly retainUntil: string;
  readonly deletedAt: string | null;
}

/** Why the record may not be deleted now, or undefined when it may. */
export function deletionBlocker(record: RetentionFacts, now: Date): ConflictError | undefined {
  if (record.deletedAt) return new ConflictError('record already deleted', 'record_deleted');
  if (record.legalHold) return new ConflictError('the record is under legal hold', 'legal_hold');
  if (now.getTime() < Date.parse(record.retainUntil)) {
    return new ConflictError(`retained until ${record.retainUntil}`, 'retention_unexpired');
  }
  return undefined;
}

export interface RetentionSources {
  readonly db: Database;
  readonly store: RecordStore;
  readonly blobs: BlobStore;
  readonly recording: Pick<RecordingService, 'footprint'>;
}

/** A record and what its deletion destroys: the blobs only it references, its recording's files. */
export interface Doomed {
  readonly record: RecordRow;
  readonly blobs: readonly { readonly sha256: string; readonly bytes: number }[];
  readonly recording: { readonly files: number; readonly bytes: number };
}

export async function doomed(src: RetentionSources, record: RecordRow): Promise<Doomed> {
  const blobs = await Promise.all(
    (await blobsOnlyOf(src.db, record)).map(async (sha256) => ({
      sha256,
      // A blob already gone counts as nothing to destroy.
      bytes: await src.blobs.size(sha256).catch(() => 0),
    })),
  );
  const recording = record.sessionId ? await src.recording.footprint(record.sessionId) : { files: 0, bytes: 0 };
  return { record, blobs, recording };
}

/** Every record the sweep deletes at `now` (past retention, not held, not deleted) with what goes. */
export async function deletionPlan(src: RetentionSources, now: Date): Promise<Doomed[]> {
  const out: Doomed[] = [];
  for (const record of await src.store.expired(now.toISOString())) out.push(await doomed(src, record));
  return out;
}
