// 好差评: the applicant rates the service once, after the case ends. The applicant has no account:
// the guest login ends with the video session (guest-access.ts), so while it lasts the phone page
// asks for a one-time rating token, bound to the case and to that guest, valid `tokenTtlMs` (only
// its SHA-256 is stored), and keeps it. Rating later works with that token alone; while the guest
// login still lasts (a signed case whose session is open) the guest principal itself suffices.
// Staff never rate, and a guest only rates the case it joined as applicant.
import { createHash, randomBytes } from 'node:crypto';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, ConflictError } from '../../kernel/errors.js';
import { guestActor, type GuestPrincipal, type Principal } from '../../kernel/principal.js';
import type { Database } from '../../kernel/store/Database.js';
import type { CaseService } from '../cases/index.js';
import type { SessionService } from '../sessions/index.js';
import { ratingScore, type NewRatingBody, type Rating, type RatingToken } from '../../../protocol/http/stats.js';
import type { CaseStatus } from '../../../protocol/common.js';

/** A case has ended for its applicant once signed, archived or withdrawn. */
const RATEABLE: readonly CaseStatus[] = ['signed', 'archived', 'cancelled'];
/** The 评价渠道 of the phone page (移动端 in the provincial system's channel list). */
export const PHONE_CHANNEL = '移动端';
export const DEFAULT_RATING_TOKEN_TTL_MS = 14 * 24 * 3600_000;

export class RatingNotApplicantError extends AppError {
  constructor() {
    super('rating_not_applicant', "only the case's applicant rates its service", 403);
  }
}

export class RatingTokenInvalidError extends AppError {
  constructor() {
    super('rating_token_invalid', 'the rating token is missing, unknown, for another case or expired', 403);
  }
}

export class RatingService {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #audit: AuditLog;
  readonly #cases: CaseService;
  readonly #sessions: SessionService;
  readonly #tokenTtlMs: number;

  constructor(opts: {
    db: Database;
    clock: Clock;
    audit: AuditLog;
    cases: CaseService;
    sessions: SessionService;
    tokenTtlMs?: number;
  }) {
    this.#db = opts.db;
    this.#clock = opts.clock;
    this.#audit = opts.audit;
    this.#cases = opts.cases;
    this.#sessions = opts.sessions;
    this.#tokenTtlMs = opts.tokenTtlMs ?? DEFAULT_RATING_TOKEN_TTL_MS;
  }

  /** A fresh token for the case's applicant (replacing an earlier one: a reload of the phone page). */
  async issueToken(guest: GuestPrincipal, caseId: string): Promise<RatingToken> {
    await this.#cases.get(caseId);
    await this.#assertApplicant(guest, caseId);
    if (await this.#rated(caseId)) throw ratingExists();
    const token = randomBytes(32).toString('base64url');
    const now = this.#clock();
    const expiresAt = new Date(now.getTime() + this.#tokenTtlMs).toISOString();
    await this.#db.transaction(async () => {
      await this.#db.run(
        `INSERT INTO rating_tokens (case_id, guest_id, token_hash, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(case_id) DO UPDATE SET guest_id = excluded.guest_id, token_hash = excluded.token_hash,
           issued_at = excluded.issued_at, expires_at = excluded.expires_at`,
        [caseId, guest.guestId, hashToken(token), now.toISOString(), expiresAt],
      );
      await this.#audit.append({
        actor: guestActor(guest.guestId),
        action: 'rating.token_issued',
        target: `case:${caseId}`,
        details: { expiresAt },
      });
    });
    return { token, expiresAt };
  }

  /** Records the applicant's rating: 403 for anyone else, 409 before the case ends and on a second try. */
  async rate(principal: Principal | undefined, caseId: string, input: NewRatingBody): Promise<Rating> {
    const c = await this.#cases.get(caseId);
    if (principal?.kind === 'user') throw new RatingNotApplicantError();
    // The pass decides when there is one: the same phone may have joined a later case as a guest since.
    const guestId =
      input.token || !principal
        ? await this.#guestOfToken(caseId, input.token)
        : await this.#assertApplicant(principal, caseId);
    const ratedAt = this.#clock().toISOString();
    const comment = input.comment?.trim() || null;
    if (!RATEABLE.includes(c.status))
      throw new ConflictError(`a case that is ${c.status} has not ended yet`, 'rating_not_open');
    await this.#db.transaction(async () => {
      // One rating per case: the primary key decides between two tries at once (on any node).
      const inserted = await this.#db.run(
        `INSERT INTO ratings (case_id, guest_id, score, comment, channel, rated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (case_id) DO NOTHING`,
        [caseId, guestId, ratingScore[input.level], comment, PHONE_CHANNEL, ratedAt],
      );
      if (inserted.changes === 0) throw ratingExists();
      // The comment is the applicant's free text: the log keeps its length, not its words.
      await this.#audit.append({
        actor: guestActor(guestId),
        action: 'case.rated',
        target: `case:${caseId}`,
        siteId: c.handlingSite.id,
        details: { level: input.level, commentLength: comment?.length ?? 0 },
      });
    }, 'immediate');
    return { caseId, level: input.level, ratedAt };
  }

  /** The guest must be the applicant who joined this case's session; returns its id. */
  async #assertApplicant(guest: GuestPrincipal, caseId: string): Promise<string> {
    const joined = guest.caseId === caseId ? await this.#sessions.joinedApplicant(guest.sessionId) : undefined;
    if (joined?.guestId !== guest.guestId) throw new RatingNotApplicantError();
    return guest.guestId;
  }

  /** A token stays valid after use so that a second rating is told 409, not 403. */
  async #guestOfToken(caseId: string, token: string | undefined): Promise<string> {
    if (!token) throw new RatingTokenInvalidError();
    const row = await this.#db.get<{ guestId: string }>(
      'SELECT guest_id AS "guestId" FROM rating_tokens WHERE case_id = ? AND token_hash = ? AND expires_at > ?',
      [caseId, hashToken(token), this.#clock().toISOString()],
    );
    if (!row) throw new RatingTokenInvalidError();
    return row.guestId;
  }

  async #rated(caseId: string): Promise<boolean> {
    return (await this.#db.get('SELECT 1 FROM ratings WHERE case_id = ?', [caseId])) !== undefined;
  }
}

function ratingExists(): ConflictError {
  return new ConflictError('this case has already been rated', 'rating_exists');
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
