// Fixed-window attempt counts under a key: a window opens at the first attempt after the previous
// one ran out and lasts windowMs. Embedded: the rate_limits table (one UPSERT per attempt, the
// app's clock; run-out windows purged at intervals). Cluster: Redis's own counter, INCR with the
// window as the key's expiry, set when the window opens (SET NX PX and INCR in one MULTI), so every
// node's attempts land on one count however many arrive at once.
import type { Clock } from '../../kernel/clock.js';
import type { RedisConnection } from '../../kernel/redis.js';
import type { Database } from '../../kernel/store/Database.js';

export interface AttemptCounter {
  /** Counts one attempt; returns the window's count with it. */
  hit(key: string): Promise<number>;
  /** The running window's count (0 when none runs). */
  count(key: string): Promise<number>;
  clear(key: string): Promise<void>;
  /** Deletes run-out windows; returns how many (Redis expires its own: 0). */
  purgeExpired(): Promise<number>;
}

export class SqliteAttemptCounter implements AttemptCounter {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #bucket: string;
  readonly #windowMs: number;

  constructor(opts: { db: Database; clock: Clock; bucket: string; windowMs: number }) {
    this.#db = opts.db;
    this.#clock = opts.clock;
    this.#bucket = opts.bucket;
    this.#windowMs = opts.windowMs;
  }

  async hit(key: string): Promise<number> {
    const now = this.#clock().getTime();
    // One statement decides and writes (a window that ran out starts afresh at 1), so concurrent
    // attempts from any number of connections each land on the count without a transaction held open.
    const runOut = now - this.#windowMs;
    const row = await this.#db.get<{ count: number }>(
      `INSERT INTO rate_limits (bucket, key, window_start, count) VALUES (?, ?, ?, 1)
       ON CONFLICT(bucket, key) DO UPDATE SET
         count = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.count + 1 END,
         window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start ELSE rate_limits.window_start END
       RETURNING count`,
      [this.#bucket, key, now, runOut, runOut],
    );
    return row!.count;
  }

  async count(key: string): Promise<number> {
    const row = await this.#row(key);
    return row && this.#clock().getTime() - row.window_start < this.#windowMs ? row.count : 0;
  }

  async clear(key: string): Promise<void> {
    await this.#db.run('DELETE FROM rate_limits WHERE bucket = ? AND key = ?', [this.#bucket, key]);
  }

  async purgeExpired(): Promise<number> {
    const cutoff = this.#clock().getTime() - this.#windowMs;
    return (
      await this.#db.run('DELETE FROM rate_limits WHERE bucket = ? AND window_start <= ?', [this.#bucket, cutoff])
    ).changes;
  }

  #row(key: string): Promise<{ window_start: number; count: number } | undefined> {
    return this.#db.get<{ window_start: number; count: number }>(
      'SELECT window_start, count FROM rate_limits WHERE bucket = ? AND key = ?',
      [this.#bucket, key],
    );
  }
}

export class RedisAttemptCounter implements AttemptCounter {
  readonly #redis: RedisConnection;
  readonly #bucket: string;
  readonly #windowMs: number;

  constructor(redis: RedisConnection, bucket: string, windowMs: number) {
    this.#redis = redis;
    this.#bucket = bucket;
    this.#windowMs = windowMs;
  }

  async hit(key: string): Promise<number> {
    const k = this.#key(key);
    const replies = await this.#redis.client.multi().set(k, 0, 'PX', this.#windowMs, 'NX').incr(k).exec();
    const [err, count] = replies?.[1] ?? [new Error('Redis transaction aborted'), 0];
    if (err) throw err;
    return Number(count);
  }

  async count(key: string): Promise<number> {
    return Number((await this.#redis.client.get(this.#key(key))) ?? 0);
  }

  async clear(key: string): Promise<void> {
    await this.#redis.client.del(this.#key(key));
  }

  async purgeExpired(): Promise<number> {
    return 0;
  }

  #key(key: string): string {
    return this.#redis.key('rate', this.#bucket, key);
  }
}
