// Deletes, at intervals, login sessions no token can open any more and rate-limit windows that
// have run out, so those tables hold live state only instead of growing with every login. Nothing
// of record is lost: logins, logouts and failed attempts are in the audit log.
import type { LoginSessions } from './LoginSessions.js';

/** Anything holding run-out rows: rate-limit windows, account throttles, expired enrolment codes. */
export interface Expiring {
  purgeExpired(): number | Promise<number>;
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
    const run = () => void this.purge().catch(log);
    run();
    this.#timer ??= setInterval(run, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async purge(): Promise<{ sessions: number; rateLimitWindows: number }> {
    const sessions = await this.#sessions.purgeEnded();
    const counts = await Promise.all(this.#limiters.map((l) => l.purgeExpired()));
    return { sessions, rateLimitWindows: counts.reduce((n, c) => n + c, 0) };
  }
}
