// Attempt budgets per key and fixed window, shared by every node that shares their counter (SQLite
// by default, so a restart does not reset them; Redis in a cluster). `consume` counts an attempt and
// throws 429 once the window's budget is spent; `reset` clears a key after a success.
import { TooManyRequestsError } from '../../kernel/errors.js';
import type { AttemptCounter } from './AttemptCounter.js';

export class RateLimiter {
  readonly #counter: AttemptCounter;
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(opts: { counter: AttemptCounter; limit: number; windowMs: number }) {
    this.#counter = opts.counter;
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
    return (await this.#counter.count(key)) >= this.#limit;
  }

  /** Counts one attempt for `key`; returns the window's count so far. */
  record(key: string): Promise<number> {
    return this.#counter.hit(key);
  }

  /** Deletes this bucket's windows that have run out (the next attempt would start afresh anyway); returns how many. */
  purgeExpired(): Promise<number> {
    return this.#counter.purgeExpired();
  }

  reset(key: string): Promise<void> {
    return this.#counter.clear(key);
  }
}
