// Login sessions behind the cookie: a random 32-byte token given to the browser, only its SHA-256
// stored. Staff sessions name a user; guest sessions name the invitation's guest and the one video
// session its code opened, and end with that video session.
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../kernel/store/Database.js';
import { type Principal } from '../../kernel/principal.js';
import { type Clock } from '../../kernel/clock.js';
import { toPrincipal, type UserService } from './UserService.js';

interface LoginRow {
  kind: 'user' | 'guest';
  user_id: string | null;
  session_id: string | null;
  guest_id: string | null;
  case_id: string | null;
  display_name: string | null;
  expires_at: string;
  revoked_at: string | null;
}

export class LoginSessions {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #users: UserService;
  readonly #ttlMs: number;
  readonly #revoked = new Set<(which: { tokenHash: string } | { userId: string }) => void>();

  constructor(opts: { db: Database; clock: Clock; users: UserService; ttlMs: number }) {
    this.#db = opts.db;
    this.#clock = opts.clock;
    this.#users = opts.users;
    this.#ttlMs = opts.ttlMs;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Starts a session; returns the token for the cookie (shown once, never stored). */
  start(
    owner:
      | { kind: 'user'; userId: string }
      | { kind: 'guest'; guestId: string; sessionId: string; caseId: string | null; displayName: string },
  ): string {
    const token = randomBytes(32).toString('base64url');
    const now = this.#clock();
    this.#db.sql
      .prepare(
        `INSERT INTO login_sessions (token_hash, kind, user_id, session_id, guest_id, case_id, display_name, created_at,
           expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        hashToken(token),
        owner.kind,
        owner.kind === 'user' ? owner.userId : null,
        owner.kind === 'guest' ? owner.sessionId : null,
        owner.kind === 'guest' ? owner.guestId : null,
        owner.kind === 'guest' ? owner.caseId : null,
        owner.kind === 'guest' ? owner.displayName : null,
        now.toISOString(),
        new Date(now.getTime() + this.#ttlMs).toISOString(),
      );
    return token;
  }

  /** The principal behind a token, or undefined if unknown, expired, revoked or the user is disabled. */
  resolve(token: string | undefined): Principal | undefined {
    return this.lookup(token)?.principal;
  }

  /** resolve(), and whether the user must change their password before anything else. */
  lookup(token: string | undefined): { principal: Principal; mustChangePassword: boolean } | undefined {
    if (!token || token.length > 200) return undefined;
    const row = this.#db.sql.prepare('SELECT * FROM login_sessions WHERE token_hash = ?').get(hashToken(token)) as
      LoginRow | undefined;
    if (!row || row.revoked_at || row.expires_at <= this.#clock().toISOString()) return undefined;
    if (row.kind === 'guest') {
      if (!row.guest_id) return undefined;
      const principal: Principal = {
        kind: 'guest',
        guestId: row.guest_id,
        sessionId: row.session_id!,
        caseId: row.case_id,
        displayName: row.display_name ?? '申请人',
      };
      return { principal, mustChangePassword: false };
    }
    const user = this.#users.find(row.user_id!);
    return user && !user.disabled
      ? { principal: toPrincipal(user), mustChangePassword: user.mustChangePassword }
      : undefined;
  }

  revoke(token: string): void {
    this.#db.sql
      .prepare('UPDATE login_sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL')
      .run(this.#clock().toISOString(), hashToken(token));
    this.#announce({ tokenHash: hashToken(token) });
  }

  /** Ends every session of a user (when disabled, or their password changed). */
  revokeUser(userId: string): void {
    this.#db.sql
      .prepare('UPDATE login_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL')
      .run(this.#clock().toISOString(), userId);
    this.#announce({ userId });
  }

  /** Ends the guest logins of a video session (when it ends): guest access lasts as long as the session. */
  revokeGuestsOf(sessionId: string): number {
    const rows = this.#db.sql
      .prepare(
        `UPDATE login_sessions SET revoked_at = ? WHERE kind = 'guest' AND session_id = ? AND revoked_at IS NULL
         RETURNING token_hash AS tokenHash`,
      )
      .all(this.#clock().toISOString(), sessionId) as { tokenHash: string }[];
    for (const row of rows) this.#announce(row);
    return rows.length;
  }

  /** Deletes the sessions no token can open any more (expired or revoked); returns how many. */
  purgeEnded(): number {
    const now = this.#clock().toISOString();
    return this.#db.sql.prepare('DELETE FROM login_sessions WHERE expires_at <= ? OR revoked_at IS NOT NULL').run(now)
      .changes;
  }

  /** Called when sessions end, so long-lived connections (sockets) can be closed too. */
  onRevoke(listener: (which: { tokenHash: string } | { userId: string }) => void): () => void {
    this.#revoked.add(listener);
    return () => this.#revoked.delete(listener);
  }

  #announce(which: { tokenHash: string } | { userId: string }): void {
    for (const listener of this.#revoked) listener(which);
  }
}

/** The stored form of a session token (also how sockets remember which session they belong to). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
