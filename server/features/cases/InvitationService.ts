// One-time, expiring invitation codes that let an applicant (no account) into one session. Only the
// SHA-256 of a code is stored. Each invitation is its own guest principal (`guest:<invitation id>`);
// a newer invitation revokes the session's unused ones, and the session's end revokes them all.
// Redeeming checks the code, the session (open, its case still in the video stage) and that no
// applicant joined yet, and admits the guest, all in one transaction.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Database } from '../../kernel/store/Database.js';
import { AppError, ConflictError } from '../../kernel/errors.js';
import { type Clock } from '../../kernel/clock.js';
import type { SessionService } from '../sessions/index.js';
import type { CaseStatus } from './case-state.js';

// No 0/O, 1/I/L: codes are read aloud and typed on phones.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;
// The applicant joins for identity confirmation and stays to sign; no later (archived, cancelled).
const JOINABLE: readonly CaseStatus[] = ['in_session', 'identity_confirmed'];

export class InvitationInvalidError extends AppError {
  constructor() {
    super('invitation_invalid', 'the invitation code is invalid, used or expired', 403);
  }
}

export interface Invitation {
  /** Also the guest principal's id once redeemed. */
  readonly id: string;
  readonly code: string;
  readonly sessionId: string;
  readonly caseId: string | null;
  readonly expiresAt: string;
  /** Unused invitations of the session this one replaced. */
  readonly revoked: number;
}

export interface Redeemed {
  readonly guestId: string;
  readonly sessionId: string;
  readonly caseId: string | null;
}

export class InvitationService {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #sessions: SessionService;

  constructor(db: Database, clock: Clock, ttlMs: number, sessions: SessionService) {
    this.#db = db;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#sessions = sessions;
  }

  /** A new code for the session; its unused codes are revoked. Refused once the applicant joined. */
  async create(input: { sessionId: string; caseId: string | null; createdBy: string }): Promise<Invitation> {
    const id = randomBytes(12).toString('hex'); // short: it is part of the event certificate's UID
    const code = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    const now = this.#clock();
    const expiresAt = new Date(now.getTime() + this.#ttlMs).toISOString();
    // The joined check, the revocation and the insert in one immediate transaction: an applicant
    // joining meanwhile cannot be followed by a fresh code.
    const revoked = await this.#db.transaction(async () => {
      if (await this.#sessions.joinedApplicant(input.sessionId))
        throw new ConflictError('the applicant has already joined this session', 'applicant_already_joined');
      const n = await this.revokeUnused(input.sessionId);
      await this.#db.run(
        `INSERT INTO invitations (id, code_hash, session_id, case_id, created_by, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [id, hashCode(code), input.sessionId, input.caseId, input.createdBy, now.toISOString(), expiresAt],
      );
      return n;
    }, 'immediate');
    return { id, code, sessionId: input.sessionId, caseId: input.caseId, expiresAt, revoked };
  }

  /** Revokes the session's unused codes; returns how many. */
  async revokeUnused(sessionId: string): Promise<number> {
    const r = await this.#db.run(
      'UPDATE invitations SET revoked_at = ? WHERE session_id = ? AND used_at IS NULL AND revoked_at IS NULL',
      [this.#clock().toISOString(), sessionId],
    );
    return r.changes;
  }

  /**
   * Uses the code up and admits its guest to the session, in one immediate transaction (joining the
   * caller's, if any). The conditional UPDATE spends the code once, however many redeem it at once.
   * Unknown, used, revoked and expired codes alike are 403 invitation_invalid; a closed session 409
   * session_ended; a session whose applicant joined 409 applicant_already_joined.
   */
  async redeem(
    code: string,
    displayName: (caseId: string | null) => Promise<string>,
  ): Promise<Redeemed & { displayName: string }> {
    return this.#db.transaction(async () => {
      const now = this.#clock().toISOString();
      const row = await this.#db.get<Redeemed>(
        `UPDATE invitations SET used_at = ?
         WHERE code_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?
         RETURNING id AS "guestId", session_id AS "sessionId", case_id AS "caseId"`,
        [now, hashCode(code), now],
      );
      if (!row) throw new InvitationInvalidError();
      const caseStatus = row.caseId
        ? (await this.#db.get<{ status: CaseStatus }>('SELECT status FROM cases WHERE id = ?', [row.caseId]))!.status
        : undefined;
      if ((await this.#sessions.get(row.sessionId)).status !== 'open' || (caseStatus && !JOINABLE.includes(caseStatus)))
        throw new ConflictError('the video session of this invitation has ended', 'session_ended');
      const name = await displayName(row.caseId);
      await this.#sessions.admitApplicant(row.sessionId, { guestId: row.guestId, displayName: name });
      return { ...row, displayName: name };
    }, 'immediate');
  }
}

function hashCode(code: string): string {
  return createHash('sha256').update(code.toUpperCase().replace(/[\s-]/g, '')).digest('hex');
}
