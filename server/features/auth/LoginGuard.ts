// Who may try a password now (issue 12 §5). Three budgets, checked before the password is:
// - per username and client address (the RateLimiter `login`): one address guessing one account;
// - per account, from any address: after a few failures each further attempt must wait, the wait
//   doubling with each failure (an attempt made while waiting counts as a failure: it is a guess
//   the server merely did not check), and enough failures lock the account for a while, right
//   password or not — so spreading guesses over many addresses does not help;
// - a global budget of failed logins (all accounts, all addresses) per window, against password
//   spraying: once spent, every login waits for the window.
// The login route audits every refusal with its reason and the source address.
import { AppError, TooManyRequestsError } from '../../kernel/errors.js';
import type { Clock } from '../../kernel/clock.js';
import type { AtomicRecords } from './AtomicRecords.js';
import type { RateLimiter } from './RateLimiter.js';

export interface LoginGuardLimits {
  readonly loginAccountBackoffAfter: number;
  readonly loginAccountBackoffBaseMs: number;
  readonly loginAccountBackoffMaxMs: number;
  readonly loginAccountLockAfter: number;
  readonly loginAccountLockMs: number;
  readonly loginWindowMs: number;
}

export type LoginRefusalReason = 'address' | 'account_backoff' | 'account_locked' | 'global';

/** A login refused before the password was checked; `reason` goes to the audit log. */
export interface LoginRefusal {
  readonly reason: LoginRefusalReason;
  readonly error: AppError;
  /** When this very attempt locked the account: the lock's end (ms). */
  readonly lockedUntil?: number;
}

export class AccountLockedError extends AppError {
  constructor(untilMs: number, now: number) {
    super(
      'account_locked',
      `too many failed logins: the account is locked for ${Math.ceil((untilMs - now) / 60_000)} min`,
      423,
    );
  }
}

/** One account's failed logins (the columns of login_account_throttle). */
export interface ThrottleRow extends Record<string, unknown> {
  failures: number;
  last_failure_ms: number;
  locked_until_ms: number | null;
}

const GLOBAL_KEY = '*';

export class LoginGuard {
  readonly #throttles: AtomicRecords<ThrottleRow>;
  readonly #clock: Clock;
  readonly #perAddress: RateLimiter;
  readonly #global: RateLimiter;
  readonly #limits: LoginGuardLimits;

  constructor(opts: {
    throttles: AtomicRecords<ThrottleRow>;
    clock: Clock;
    perAddress: RateLimiter;
    global: RateLimiter;
    limits: LoginGuardLimits;
  }) {
    this.#throttles = opts.throttles;
    this.#clock = opts.clock;
    this.#perAddress = opts.perAddress;
    this.#global = opts.global;
    this.#limits = opts.limits;
  }

  /** Counts an attempt; the refusal when it may not go on to the password check. */
  async admit(username: string, address: string): Promise<LoginRefusal | undefined> {
    if (await this.#global.exhausted(GLOBAL_KEY)) {
      return {
        reason: 'global',
        error: new TooManyRequestsError('too many failed logins on this platform; try again later'),
      };
    }
    const now = this.#clock().getTime();
    const row = this.#live(await this.#throttles.get(accountKey(username)), now);
    if (row?.locked_until_ms && row.locked_until_ms > now) {
      return { reason: 'account_locked', error: new AccountLockedError(row.locked_until_ms, now) };
    }
    try {
      await this.#perAddress.consume(addressKey(username, address));
    } catch (err) {
      return { reason: 'address', error: err as AppError };
    }
    const { loginAccountBackoffAfter: after, loginAccountBackoffBaseMs: base } = this.#limits;
    if (row && row.failures >= after) {
      const wait = Math.min(this.#limits.loginAccountBackoffMaxMs, base * 2 ** (row.failures - after));
      if (now < row.last_failure_ms + wait) {
        const locked = await this.#fail(username, now);
        return locked
          ? { reason: 'account_locked', error: new AccountLockedError(locked, now), lockedUntil: locked }
          : {
              reason: 'account_backoff',
              error: new TooManyRequestsError(
                `too many failed logins for this account; wait ${Math.ceil((row.last_failure_ms + wait - now) / 1000)} s`,
              ),
            };
      }
    }
    return undefined;
  }

  /** A wrong password: counted for the account and the global budget; returns the lock's end when it now locks. */
  async failed(username: string): Promise<number | undefined> {
    await this.#global.record(GLOBAL_KEY);
    return this.#fail(username, this.#clock().getTime());
  }

  async succeeded(username: string, address: string): Promise<void> {
    await this.#perAddress.reset(addressKey(username, address));
    await this.#throttles.delete(accountKey(username));
  }

  /** Deletes account rows whose failures have run out and whose lock is over; returns how many. */
  purgeExpired(): Promise<number> {
    return this.#throttles.purgeExpired();
  }

  /** The account's row, failures forgotten once a window has passed since the last one (a lock still counts). */
  #live(row: ThrottleRow | undefined, now: number): ThrottleRow | undefined {
    if (!row) return undefined;
    const stale = now - row.last_failure_ms >= this.#limits.loginWindowMs;
    const locked = row.locked_until_ms !== null && row.locked_until_ms > now;
    return stale && !locked ? undefined : row;
  }

  /** One more failure for the account; the lock's end when this one locks it. */
  #fail(username: string, now: number): Promise<number | undefined> {
    return this.#throttles.update(accountKey(username), (current) => {
      const failures = (this.#live(current, now)?.failures ?? 0) + 1;
      // Only an unlocked account gets here (admit refuses a locked one first). A lock starts the
      // count afresh: when it ends, the account has its backoff and lock budget again.
      const locks = failures >= this.#limits.loginAccountLockAfter;
      const lockedUntil = locks ? now + this.#limits.loginAccountLockMs : null;
      const next = { failures: locks ? 0 : failures, last_failure_ms: now, locked_until_ms: lockedUntil };
      // Kept while its failures count (a window) or its lock runs, as the embedded purge keeps it.
      const ttlMs = Math.max(this.#limits.loginWindowMs, (lockedUntil ?? now) - now);
      return { next, ttlMs, result: lockedUntil ?? undefined };
    });
  }
}

/** Accounts are named case-insensitively, as at login; unknown names are throttled like real ones. */
const accountKey = (username: string) => username.toLowerCase().slice(0, 64);
const addressKey = (username: string, address: string) => `${accountKey(username)}|${address}`;
