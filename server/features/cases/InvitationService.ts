// One-time, expiring invitation codes that let an applicant (no account) into one session. Only the
// SHA-256 of a code is stored; redeeming marks it used in the same statement that checks it.
import { createHash, randomInt } from 'node:crypto';
import type { Database } from '../../kernel/store/Database.js';
import { AppError } from '../../kernel/errors.js';
import { type Clock } from '../../kernel/clock.js';

// No 0/O, 1/I/L: codes are read aloud and typed on phones.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;

export class InvitationInvalidError extends AppError {
  constructor() {
    super('invitation_invalid', 'the invitation code is invalid, used or expired', 403);
  }
}

export interface Invitation {
  readonly code: string;
  readonly sessionId: string;
  readonly caseId: string | null;
  readonly expiresAt: string;
}

export class InvitationService {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(db: Database, clock: Clock, ttlMs: number) {
    this.#db = db;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  create(input: { sessionId: string; caseId: string | null; createdBy: string }): Invitation {
    const code = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    const now = this.#clock();
    const expiresAt = new Date(now.getTime() + this.#ttlMs).toISOString();
    this.#db.sql
      .prepare(
        'INSERT INTO invitations (code_hash, session_id, case_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(hashCode(code), input.sessionId, input.caseId, input.createdBy, now.toISOString(), expiresAt);
    return { code, sessionId: input.sessionId, caseId: input.caseId, expiresAt };
  }

  /** Uses the code up; throws InvitationInvalidError for unknown, used or expired codes alike. */
  redeem(code: string): { sessionId: string; caseId: string | null } {
    const now = this.#clock().toISOString();
    const row = this.#db.sql
      .prepare(
        `UPDATE invitations SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?
         RETURNING session_id AS sessionId, case_id AS caseId`,
      )
      .get(now, hashCode(code), now) as { sessionId: string; caseId: string | null } | undefined;
    if (!row) throw new InvitationInvalidError();
    return row;
  }
}

function hashCode(code: string): string {
  return createHash('sha256').update(code.toUpperCase().replace(/[\s-]/g, '')).digest('hex');
}
