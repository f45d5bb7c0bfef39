// Fixed-window attempt counters kept in SQLite (a restart does not reset them). `consume` counts an
// attempt and throws 429 once the window's budget is spent; `reset` clears a key after a success.
import type { Database } from '../../kernel/store/Database.js';
import { TooManyRequestsError } from '../../kernel/errors.js';
import { type Clock } from '../../kernel/clock.js';

export class RateLimiter {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #bucket: string;
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(opts: { db: Database; clock: Clock; bucket: string; limit: number; windowMs: number }) {
    this.#db = opts.db;
    this.#clock = opts.clock;
    this.#bucket = opts.bucket;
    this.#limit = opts.limit;
    this.#windowMs = opts.windowMs;
  }

  /** Counts one attempt for `key`; throws TooManyRequestsError when over the limit. */
  consume(key: string): void {
    if (this.record(key) > this.#limit) {
      throw new TooManyRequestsError(`too many attempts, try again in ${Math.ceil(this.#windowMs / 60_000)} min`);
    }
  }

  /** Whether `key` has spent this window's budget (without counting an attempt). */
  exhausted(key: string): boolean {
    const row = this.#db.sql
      .prepare('SELECT window_start, count FROM rate_limits WHERE bucket = ? AND key = ?')
      .get(this.#bucket, key) as { window_start: number; count: number } | undefined;
    return !!row && this.#clock().getTime() - row.window_start < this.#windowMs && row.count >= this.#limit;
  }

  /** Counts one attempt for `key`; returns the window's count so far. */
  record(key: string): number {
    const now = this.#clock().getTime();
    return this.#db.transaction(() => {
      const row = this.#db.sql
        .prepare('SELECT window_start, count FROM rate_limits WHERE bucket = ? AND key = ?')
        .get(this.#bucket, key) as { window_start: number; count: number } | undefined;
      const fresh = !row || now - row.window_start >= this.#windowMs;
      const next = fresh ? 1 : row.count + 1;
      this.#db.sql
        .prepare(
          `INSERT INTO rate_limits (bucket, key, window_start, count) VALUES (?, ?, ?, ?)
           ON CONFLICT(bucket, key) DO UPDATE SET window_start = excluded.window_start, count = excluded.count`,
        )
        .run(this.#bucket, key, fresh ? now : row.window_start, next);
      return next;
    });
  }

  /** Deletes this bucket's windows that have run out (the next attempt would start afresh anyway); returns how many. */
  purgeExpired(): number {
    const cutoff = this.#clock().getTime() - this.#windowMs;
    return this.#db.sql
      .prepare('DELETE FROM rate_limits WHERE bucket = ? AND window_start <= ?')
      .run(this.#bucket, cutoff).changes;
  }

  reset(key: string): void {
    this.#db.sql.prepare('DELETE FROM rate_limits WHERE bucket = ? AND key = ?').run(this.#bucket, key);
  }
}
