// Login sessions behind the cookie: a random 32-byte token given to the browser, only its SHA-256
// stored. Staff sessions name a user; guest sessions name the invitation's guest and the one video
// session its code opened, and end with that video session. Where they are kept is the LoginStore's
// business (SQLite by default, Redis in a cluster).
import { createHash, randomBytes } from 'node:crypto';
import { type Principal } from '../../kernel/principal.js';
import { type Clock } from '../../kernel/clock.js';
import { toPrincipal, type UserService } from './UserService.js';
import type { LoginRevocation, LoginStore } from './LoginStore.js';

export class LoginSessions {
  readonly #store: LoginStore;
  readonly #clock: Clock;
  readonly #users: UserService;
  readonly #ttlMs: number;

  constructor(opts: { store: LoginStore; clock: Clock; users: UserService; ttlMs: number }) {
    this.#store = opts.store;
    this.#clock = opts.clock;
    this.#users = opts.users;
    this.#ttlMs = opts.ttlMs;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Starts a session; returns the token for the cookie (shown once, never stored). */
  async start(
    owner:
      | { kind: 'user'; userId: string }
      | { kind: 'guest'; guestId: string; sessionId: string; caseId: string | null; displayName: string },
  ): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.#clock();
    const guest = owner.kind === 'guest' ? owner : undefined;
    await this.#store.insert(hashToken(token), {
      kind: owner.kind,
      userId: owner.kind === 'user' ? owner.userId : null,
      sessionId: guest?.sessionId ?? null,
      guestId: guest?.guestId ?? null,
      caseId: guest?.caseId ?? null,
      displayName: guest?.displayName ?? null,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.#ttlMs).toISOString(),
    });
    return token;
  }

  /** The principal behind a token, or undefined if unknown, expired, revoked or the user is disabled. */
  async resolve(token: string | undefined): Promise<Principal | undefined> {
    return (await this.lookup(token))?.principal;
  }

  /** resolve(), and whether the user must change their password before anything else. */
  async lookup(token: string | undefined): Promise<{ principal: Principal; mustChangePassword: boolean } | undefined> {
    if (!token || token.length > 200) return undefined;
    const row = await this.#store.get(hashToken(token));
    if (!row || row.expiresAt <= this.#clock().toISOString()) return undefined;
    if (row.kind === 'guest') {
      if (!row.guestId) return undefined;
      const principal: Principal = {
        kind: 'guest',
        guestId: row.guestId,
        sessionId: row.sessionId!,
        caseId: row.caseId,
        displayName: row.displayName ?? '申请人',
      };
      return { principal, mustChangePassword: false };
    }
    const user = await this.#users.find(row.userId!);
    return user && !user.disabled
      ? { principal: toPrincipal(user), mustChangePassword: user.mustChangePassword }
      : undefined;
  }

  async revoke(token: string): Promise<void> {
    await this.#store.revoke(hashToken(token));
    await this.#store.announce({ tokenHash: hashToken(token) });
  }

  /** Ends every session of a user (when disabled, or their password changed). */
  async revokeUser(userId: string): Promise<void> {
    await this.#store.revokeUser(userId);
    await this.#store.announce({ userId });
  }

  /** Ends the guest logins of a video session (when it ends): guest access lasts as long as the session. */
  async revokeGuestsOf(sessionId: string): Promise<number> {
    const ended = await this.#store.revokeGuestsOf(sessionId);
    for (const tokenHash of ended) await this.#store.announce({ tokenHash });
    return ended.length;
  }

  /** Deletes the sessions no token can open any more (expired or revoked); returns how many. */
  purgeEnded(): Promise<number> {
    return this.#store.purgeEnded();
  }

  /** Called when sessions end (on any node sharing the store), so long-lived connections (sockets) can be closed too. */
  onRevoke(listener: (which: LoginRevocation) => void): () => void {
    return this.#store.onRevoke(listener);
  }
}

/** The stored form of a session token (also how sockets remember which session they belong to). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
