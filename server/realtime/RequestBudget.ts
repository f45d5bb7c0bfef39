// A token bucket per connection: `burst` requests at once, then `perSecond`. A browser joining a
// six-person room sends a few dozen signalling requests in a burst; a client flooding the server
// is answered 'rate_limited' before its requests reach the media engine.
export class RequestBudget {
  readonly #burst: number;
  readonly #perMs: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(o: { burst: number; perSecond: number; now?: () => number }) {
    this.#burst = o.burst;
    this.#perMs = o.perSecond / 1000;
    this.#now = o.now ?? (() => performance.now());
    this.#tokens = o.burst;
    this.#last = this.#now();
  }

  /** Spends one request; false when none is left. */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#perMs);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
