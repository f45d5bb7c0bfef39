// Retention rules: a record is kept for its matter's retention period from archiving, and never
// deleted while under legal hold. Pure functions so the rules are testable on their own.
import { ConflictError } from '../../kernel/errors.js';

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
