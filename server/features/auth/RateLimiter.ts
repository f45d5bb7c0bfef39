// Fixed-window attempt counters, shared by every node that shares their store (SQLite by default,
// so a restart does not reset them; Redis in a cluster). `consume` counts an attempt and throws 429
// once the window's budget is spent; `reset` clears a key after a success.
import { TooManyRequestsError } from '../../kernel/errors.js';
import { type Clock } from '../../kernel/clock.js';
import type { AtomicRecords } from './AtomicRecords.js';

/** One key's window (the columns of the rate_limits table). */
export interface AttemptWindow extends Record<string, unknown> {
  window_start: number;
  count: number;
}

export class RateLimiter {
  readonly #windows: AtomicRecords<AttemptWindow>;
  readonly #clock: Clock;
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(opts: { windows: AtomicRecords<AttemptWindow>; clock: Clock; limit: number; windowMs: number }) {
    this.#windows = opts.windows;
    this.#clock = opts.clock;
    this.#limit = opts.limit;
    this.#windowMs = opts.windowMs;
  }

  /** Counts one attempt for `key`; throws TooManyRequestsError when over the limit. */
  async consume(key: string): Promise<void> {
    if ((await this.record(key)) > this.#limit) {
      throw new TooManyRequestsError(`too many attempts, try again in ${Math.ceil(this.#windowMs / 60_000)} min`);
    }
  }

  /** Whether `key` has spent this window's budget (without counting an attempt). */
  async exhausted(key: string): Promise<boolean> {
    const row = await this.#windows.get(key);
    return !!row && this.#clock().getTime() - row.window_start < this.#windowMs && row.count >= this.#limit;
  }

  /** Counts one attempt for `key`; returns the window's count so far. */
  record(key: string): Promise<number> {
    const now = this.#clock().getTime();
    return this.#windows.update(key, (row) => {
      const fresh = !row || now - row.window_start >= this.#windowMs;
      const next = { window_start: fresh ? now : row.window_start, count: fresh ? 1 : row.count + 1 };
      // Kept as long as its window runs (what the embedded purge keeps too).
      return { next, ttlMs: next.window_start + this.#windowMs - now, result: next.count };
    });
  }

  /** Deletes this bucket's windows that have run out (the next attempt would start afresh anyway); returns how many. */
  purgeExpired(): Promise<number> {
    return this.#windows.purgeExpired();
  }

  reset(key: string): Promise<void> {
    return this.#windows.delete(key);
  }
}
