// Deletes, at intervals, login sessions no token can open any more and rate-limit windows that
// have run out, so those tables hold live state only instead of growing with every login. Nothing
// of record is lost: logins, logouts and failed attempts are in the audit log.
import type { LoginSessions } from './LoginSessions.js';

/** Anything holding run-out rows: rate-limit windows, account throttles, expired enrolment codes. */
export interface Expiring {
  purgeExpired(): number;
}

export class AuthPurger {
  readonly #sessions: LoginSessions;
  readonly #limiters: readonly Expiring[];
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: { sessions: LoginSessions; limiters: readonly Expiring[] }) {
    this.#sessions = opts.sessions;
    this.#limiters = opts.limiters;
  }

  /** Purges now, then every intervalMs until stop(). */
  start(intervalMs: number, log: (err: unknown) => void): void {
    const run = () => {
      try {
        this.purge();
      } catch (err) {
        log(err);
      }
    };
    run();
    this.#timer ??= setInterval(run, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  purge(): { sessions: number; rateLimitWindows: number } {
    return {
      sessions: this.#sessions.purgeEnded(),
      rateLimitWindows: this.#limiters.reduce((n, l) => n + l.purgeExpired(), 0),
    };
  }
}
