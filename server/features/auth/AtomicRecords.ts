// Small records under a key (an account's failed logins) that every node
// changes atomically: read, decide in TypeScript, write, as one step. The decision is the caller's
// one pure function, whichever store runs it, so the embedded and the Redis store cannot drift:
// - SqliteRecords: today's tables (SQLite or PostgreSQL), the write a conditional UPDATE/DELETE/INSERT
//   naming the values read, else the step is retried; run-out rows are purged at intervals;
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

/** A table holding one kind of record: a key column, then the record's columns. */
export interface SqliteRecordTable<T> {
  readonly table: string;
  readonly keyColumn: string;
  readonly columns: readonly (keyof T & string)[];
  /** The WHERE clause (and its values) of run-out rows. */
  readonly expired: () => { readonly where: string; readonly values: readonly unknown[] };
}

export class SqliteRecords<T extends Record<string, unknown>> implements AtomicRecords<T> {
  readonly #db: Database;
  readonly #t: SqliteRecordTable<T>;

  constructor(db: Database, table: SqliteRecordTable<T>) {
    this.#db = db;
    this.#t = table;
  }

  async get(key: string): Promise<T | undefined> {
    const { table, keyColumn, columns } = this.#t;
    return this.#db.get<T>(`SELECT ${columns.join(', ')} FROM ${table} WHERE ${keyColumn} = ?`, [key]);
  }

  /**
   * A compare-and-set, as the Redis store does: the write names every value it read, so it lands
   * only if no other step (this process's or another node's) changed the row meanwhile. No
   * transaction is held open across the decision: it works alike on one SQLite file shared by
   * several connections and on PostgreSQL's READ COMMITTED.
   */
  async update<R>(key: string, change: (current: T | undefined) => RecordChange<T, R>): Promise<R> {
    return landStep(
      this.#t.table,
      () => this.get(key),
      (seen) => seen,
      change,
      (seen, next) => this.#write(key, seen, next),
    );
  }

  async delete(key: string): Promise<void> {
    await this.#db.run(`DELETE FROM ${this.#t.table} WHERE ${this.#t.keyColumn} = ?`, [key]);
  }

  async purgeExpired(): Promise<number> {
    const { where, values } = this.#t.expired();
    return (await this.#db.run(`DELETE FROM ${this.#t.table} WHERE ${where}`, values)).changes;
  }

  /** Writes `next` over `seen` (undefined: no row); false when the row is no longer what was read. */
  async #write(key: string, seen: T | undefined, next: T | undefined): Promise<boolean> {
    const { table, keyColumn, columns } = this.#t;
    if (seen === undefined && next === undefined) return true;
    if (seen === undefined) {
      const inserted = await this.#db.run(
        `INSERT INTO ${table} (${[keyColumn, ...columns].join(', ')}) VALUES (${['?', ...columns.map(() => '?')].join(', ')})
         ON CONFLICT(${keyColumn}) DO NOTHING`,
        [key, ...columns.map((c) => next![c])],
      );
      return inserted.changes === 1;
    }
    const unchanged = columns.map((c) => `${c} ${this.#nullSafeEquals()} ?`).join(' AND ');
    const was = columns.map((c) => seen[c]);
    const written =
      next === undefined
        ? await this.#db.run(`DELETE FROM ${table} WHERE ${keyColumn} = ? AND ${unchanged}`, [key, ...was])
        : await this.#db.run(
            `UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE ${keyColumn} = ? AND ${unchanged}`,
            [...columns.map((c) => next[c]), key, ...was],
          );
    return written.changes === 1;
  }

  /** Equality that holds between two NULLs: SQLite's IS; PostgreSQL spells it IS NOT DISTINCT FROM. */
  #nullSafeEquals(): string {
    return this.#db.dialect === 'postgres' ? 'IS NOT DISTINCT FROM' : 'IS';
  }
}

/** Contended steps retry with the newer value; this many lost races in a row is a fault, not load. */
const MAX_ATTEMPTS = 100;

/**
 * One read-decide-write step of either store: `write` lands only if the record is still what `read`
 * saw; a lost race is retried with the newer value.
 */
async function landStep<S, T, R>(
  what: string,
  read: () => Promise<S>,
  decode: (seen: S) => T | undefined,
  change: (current: T | undefined) => RecordChange<T, R>,
  write: (seen: S, next: T | undefined, ttlMs: number) => Promise<boolean>,
): Promise<R> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const seen = await read();
    const { next, ttlMs, result } = change(decode(seen));
    if (await write(seen, next, ttlMs)) return result;
    // Lost a race: let the winners' writes land before reading again.
    await new Promise((r) => setTimeout(r, Math.random() * 5));
  }
  throw new Error(`shared record ${what} stayed contended for ${MAX_ATTEMPTS} attempts`);
}

/** Sets KEYS[1] to ARGV[2] (deletes it when empty) with expiry ARGV[3] ms, only if it still holds ARGV[1] ('' = absent). */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if current == false then current = '' end
if current ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

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
    return landStep(
      this.#namespace,
      () => this.#redis.client.get(full),
      (raw) => (raw === null ? undefined : (JSON.parse(raw) as T)),
      change,
      async (raw, next, ttlMs) => {
        const value = next === undefined ? '' : JSON.stringify(next);
        const ttl = String(Math.max(1, Math.ceil(ttlMs)));
        return (await this.#redis.client.eval(COMPARE_AND_SET, 1, full, raw ?? '', value, ttl)) === 1;
      },
    );
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
