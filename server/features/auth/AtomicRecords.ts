// Small records under a key (a rate-limit window, an account's failed logins) that every node
// changes atomically: read, decide in TypeScript, write, as one step. The decision is the caller's
// one pure function, whichever store runs it, so the embedded and the Redis store cannot drift:
// - SqliteRecords: today's tables, the step in one SQLite transaction (several processes on one
//   file are serialised by SQLite's write lock); run-out rows are purged at intervals;
// - RedisRecords: JSON values with an expiry, the write a compare-and-set (Lua) that only lands if
//   the value is still the one read, else the step is retried with the newer value.
import type { Database } from '../../kernel/store/Database.js';
import type { RedisConnection } from '../../kernel/redis.js';

/** What one step decides: the next record (undefined deletes it), how long it must be kept, and the result. */
export interface RecordChange<T, R> {
  readonly next: T | undefined;
  /** After this long the record means nothing any more (Redis drops it; SQLite purges it). */
  readonly ttlMs: number;
  readonly result: R;
}

export interface AtomicRecords<T> {
  get(key: string): Promise<T | undefined>;
  update<R>(key: string, change: (current: T | undefined) => RecordChange<T, R>): Promise<R>;
  delete(key: string): Promise<void>;
  /** Deletes the records whose time is over; returns how many (Redis expires its own: 0). */
  purgeExpired(): Promise<number>;
}

/** A table holding one kind of record: its key columns come first in every statement, then the record's. */
export interface SqliteRecordTable<T> {
  readonly table: string;
  /** Columns naming the record: fixed values (e.g. the limiter's bucket), then the key. */
  readonly scope: Readonly<Record<string, string>>;
  readonly keyColumn: string;
  readonly columns: readonly (keyof T & string)[];
  /** The WHERE clause (and its values) of run-out rows, within the scope. */
  readonly expired: () => { readonly where: string; readonly values: readonly unknown[] };
}

export class SqliteRecords<T extends Record<string, unknown>> implements AtomicRecords<T> {
  readonly #db: Database;
  readonly #t: SqliteRecordTable<T>;
  readonly #match: string;
  readonly #scopeValues: readonly string[];

  constructor(db: Database, table: SqliteRecordTable<T>) {
    this.#db = db;
    this.#t = table;
    this.#match = [...Object.keys(table.scope), table.keyColumn].map((c) => `${c} = ?`).join(' AND ');
    this.#scopeValues = Object.values(table.scope);
  }

  async get(key: string): Promise<T | undefined> {
    return this.#get(key);
  }

  async update<R>(key: string, change: (current: T | undefined) => RecordChange<T, R>): Promise<R> {
    return this.#db.transaction(() => {
      const { next, result } = change(this.#get(key));
      if (next === undefined) this.#delete(key);
      else {
        const names = [...Object.keys(this.#t.scope), this.#t.keyColumn, ...this.#t.columns];
        const updates = this.#t.columns.map((c) => `${c} = excluded.${c}`).join(', ');
        const conflict = [...Object.keys(this.#t.scope), this.#t.keyColumn].join(', ');
        this.#db.sql
          .prepare(
            `INSERT INTO ${this.#t.table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})
             ON CONFLICT(${conflict}) DO UPDATE SET ${updates}`,
          )
          .run(...this.#scopeValues, key, ...this.#t.columns.map((c) => next[c]));
      }
      return result;
    });
  }

  async delete(key: string): Promise<void> {
    this.#delete(key);
  }

  async purgeExpired(): Promise<number> {
    const { where, values } = this.#t.expired();
    const scope = Object.keys(this.#t.scope).map((c) => `${c} = ? AND `);
    return this.#db.sql
      .prepare(`DELETE FROM ${this.#t.table} WHERE ${scope.join('')}(${where})`)
      .run(...this.#scopeValues, ...values).changes;
  }

  #get(key: string): T | undefined {
    return this.#db.sql
      .prepare(`SELECT ${this.#t.columns.join(', ')} FROM ${this.#t.table} WHERE ${this.#match}`)
      .get(...this.#scopeValues, key) as T | undefined;
  }

  #delete(key: string): void {
    this.#db.sql.prepare(`DELETE FROM ${this.#t.table} WHERE ${this.#match}`).run(...this.#scopeValues, key);
  }
}

/** Sets KEYS[1] to ARGV[2] (deletes it when empty) with expiry ARGV[3] ms, only if it still holds ARGV[1] ('' = absent). */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if current == false then current = '' end
if current ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

/** Contended steps retry with the newer value; this many lost races in a row is a fault, not load. */
const MAX_ATTEMPTS = 100;

export class RedisRecords<T> implements AtomicRecords<T> {
  readonly #redis: RedisConnection;
  readonly #namespace: string;

  constructor(redis: RedisConnection, namespace: string) {
    this.#redis = redis;
    this.#namespace = namespace;
  }

  async get(key: string): Promise<T | undefined> {
    const raw = await this.#redis.client.get(this.#key(key));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async update<R>(key: string, change: (current: T | undefined) => RecordChange<T, R>): Promise<R> {
    const full = this.#key(key);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const raw = await this.#redis.client.get(full);
      const { next, ttlMs, result } = change(raw === null ? undefined : (JSON.parse(raw) as T));
      const value = next === undefined ? '' : JSON.stringify(next);
      const ttl = String(Math.max(1, Math.ceil(ttlMs)));
      if ((await this.#redis.client.eval(COMPARE_AND_SET, 1, full, raw ?? '', value, ttl)) === 1) return result;
    }
    throw new Error(`shared record ${this.#namespace} stayed contended for ${MAX_ATTEMPTS} attempts`);
  }

  async delete(key: string): Promise<void> {
    await this.#redis.client.del(this.#key(key));
  }

  async purgeExpired(): Promise<number> {
    return 0;
  }

  #key(key: string): string {
    return this.#redis.key(this.#namespace, key);
  }
}
