import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, type QueryResult } from 'kysely';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { AppError } from '../errors.js';
import { migrations, type Migration } from './migrations/index.js';
import { privateUmask } from './private-files.js';
import { bindParams, type Placeholders, type SqlParams } from './sql-params.js';

export type Sqlite = BetterSqlite3.Database;
export type Dialect = 'sqlite' | 'postgres';
export type { SqlParams } from './sql-params.js';

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  readonly changes: number;
}

/** What a store needs: statements with `?` or `@name` parameters, answered asynchronously. */
export interface SqlExecutor {
  get<T>(text: string, params?: SqlParams): Promise<T | undefined>;
  all<T>(text: string, params?: SqlParams): Promise<T[]>;
  run(text: string, params?: SqlParams): Promise<RunResult>;
}

/**
 * `immediate` takes the write lock at BEGIN: on SQLite the database's one write lock, so a
 * read-then-write sequence cannot fail half way on a lock another process (the CLI beside the server)
 * took in between; on PostgreSQL a transaction-scoped advisory lock that every `immediate`
 * transaction of every node takes, so they run one after another as on SQLite (READ COMMITTED alone
 * would let two nodes read the same value and both write on it). `deferred` takes no lock up front.
 */
export type TransactionMode = 'deferred' | 'immediate';

type Connection = Pick<Kysely<unknown>, 'executeQuery'>;

/** A transaction or savepoint in progress: its connection, and the first statement that failed in it. */
interface Scope {
  readonly connection: Connection;
  readonly savepoints: { n: number };
  failed?: unknown;
}

let addon: string | undefined;
/**
 * better-sqlite3's addon, by its path: by default the package finds it with `bindings`, which
 * reads the call stack and tries a dozen places, a cost on every start of the `tongban` command.
 */
function addonPath(): string {
  addon ??= join(
    dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')),
    'build',
    'Release',
    'better_sqlite3.node',
  );
  return addon;
}

/**
 * The metadata database. Embedded default: one SQLite file in WAL mode with foreign keys on, brought
 * to the newest schema by versioned migrations when opened (each in its own transaction, recorded in
 * `schema_migrations`, so a crash mid-migration leaves the previous version intact).
 *
 * Every statement goes through Kysely's driver for the dialect (one mutex-guarded connection for
 * SQLite, a pool for PostgreSQL). A transaction pins one connection and keeps it in async-local
 * storage: every statement issued while the transaction's function runs — however deep in the call
 * chain — joins it, and a transaction opened inside another becomes a savepoint, so services compose
 * without passing a transaction handle around.
 */
export class Database implements SqlExecutor {
  readonly dialect: Dialect;
  readonly #kysely: Kysely<unknown>;
  readonly #sqlite: Sqlite | undefined;
  readonly #pool: pg.Pool | undefined;
  readonly #placeholders: Placeholders;
  readonly #current = new AsyncLocalStorage<Scope>();
  #closed = false;

  protected constructor(dialect: Dialect, kysely: Kysely<unknown>, handle?: Sqlite | pg.Pool) {
    this.dialect = dialect;
    this.#kysely = kysely;
    this.#sqlite = handle instanceof pg.Pool ? undefined : handle;
    this.#pool = handle instanceof pg.Pool ? handle : undefined;
    this.#placeholders = dialect === 'postgres' ? 'numbered' : 'question';
  }

  /** The embedded SQLite database in `file`, migrated to the newest schema. */
  static open(file: string, list: readonly Migration[] = migrations): Database {
    // The database and its WAL hold personal data: 0600, whoever opens it (server or CLI).
    privateUmask();
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const db = new BetterSqlite3(file, { nativeBinding: addonPath() });
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrateSqlite(db, list);
    return new Database('sqlite', new Kysely({ dialect: new SqliteDialect({ database: db }) }), db);
  }

  /**
   * The PostgreSQL database at `url` (postgres://user:password@host:port/name), migrated to the
   * newest schema. Several nodes may start at once: the migrations run under an advisory lock.
   */
  static async connect(
    url: string,
    options: { poolSize?: number; migrations?: readonly Migration[] } = {},
  ): Promise<Database> {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types: { getTypeParser } });
    // An idle pooled connection that breaks (the server restarted) is dropped by the pool; without a
    // listener its error event would end the process. The next query opens a fresh connection.
    pool.on('error', () => undefined);
    // The same for a connection in use (a transaction's) when the server goes away: its pending query
    // fails on its own (a 503, see unreachable), but the client's error event would end the process.
    pool.on('connect', (client) => client.on('error', () => undefined));
    try {
      await migratePostgres(pool, options.migrations ?? migrations);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new Database('postgres', new Kysely({ dialect: new PostgresDialect({ pool }) }), pool);
  }

  /**
   * The raw better-sqlite3 handle of the embedded database, for tests and tools that look into the
   * file itself (SQLite only; the server's stores use get/all/run/transaction, which run on both).
   */
  get sql(): Sqlite {
    if (!this.#sqlite) throw new Error('the synchronous SQLite handle is not available on PostgreSQL');
    return this.#sqlite;
  }

  async get<T>(text: string, params?: SqlParams): Promise<T | undefined> {
    return (await this.#execute<T>(text, params)).rows[0];
  }

  async all<T>(text: string, params?: SqlParams): Promise<T[]> {
    return [...(await this.#execute<T>(text, params)).rows];
  }

  async run(text: string, params?: SqlParams): Promise<RunResult> {
    const result = await this.#execute(text, params);
    return { changes: Number(result.numAffectedRows ?? 0n) };
  }

  /** True while the caller runs inside a transaction of this database. */
  get inTransaction(): boolean {
    return this.#current.getStore() !== undefined;
  }

  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. Inside
   * another transaction it runs in a savepoint of that one.
   *
   * A statement that fails inside aborts the whole transaction on PostgreSQL (every later statement is
   * refused, and COMMIT rolls back) though not on SQLite. So a failure that `fn` catches and carries on
   * from would commit on one back-end and silently vanish on the other: on both, the transaction is
   * then rolled back and throws CaughtStatementFailure. A statement that may fail is run
   * in a nested transaction (its own savepoint), whose failure the caller may catch and go on.
   */
  async transaction<T>(fn: () => Promise<T>, mode: TransactionMode = 'deferred'): Promise<T> {
    try {
      return await this.#transaction(fn, mode);
    } catch (err) {
      throw unreachable(err);
    }
  }

  async #transaction<T>(fn: () => Promise<T>, mode: TransactionMode): Promise<T> {
    const outer = this.#current.getStore();
    if (outer) {
      const name = `sp${++outer.savepoints.n}`;
      await raw(outer.connection, `SAVEPOINT ${name}`);
      const scope: Scope = { connection: outer.connection, savepoints: outer.savepoints };
      try {
        const result = await this.#current.run(scope, fn);
        if (scope.failed !== undefined) throw new CaughtStatementFailure(scope.failed);
        await raw(outer.connection, `RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (err) {
        await raw(outer.connection, `ROLLBACK TO SAVEPOINT ${name}`);
        await raw(outer.connection, `RELEASE SAVEPOINT ${name}`);
        throw err;
      }
    }
    return this.#kysely.connection().execute(async (connection) => {
      await raw(connection, this.dialect === 'sqlite' && mode === 'immediate' ? 'BEGIN IMMEDIATE' : 'BEGIN');
      if (this.dialect === 'postgres' && mode === 'immediate')
        await raw(connection, `SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
      const scope: Scope = { connection, savepoints: { n: 0 } };
      let result: T;
      try {
        result = await this.#current.run(scope, fn);
        if (scope.failed !== undefined) throw new CaughtStatementFailure(scope.failed);
      } catch (err) {
        await raw(connection, 'ROLLBACK');
        throw err;
      }
      await raw(connection, 'COMMIT');
      return result;
    });
  }

  async schemaVersion(): Promise<number> {
    const row = await this.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    return Number(row?.v ?? 0);
  }

  /**
   * Closes the database. SQLite's handle closes at once, before this returns (its -wal file is then
   * checkpointed and removed: a caller that goes on to spawn `tongban verify` must not leave it behind,
   * or the trust snapshot would see the database as just changed), as better-sqlite3's close always
   * did; the pool of PostgreSQL ends when the promise resolves.
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    if (this.#sqlite?.open) this.#sqlite.close();
    return (async () => {
      await this.#kysely.destroy();
      // Kysely ends the pool only if it ever used it.
      if (this.#pool && !this.#pool.ended) await this.#pool.end();
    })();
  }

  async #execute<T>(text: string, params: SqlParams | undefined): Promise<QueryResult<T>> {
    if (this.#closed) throw new Error('the database is closed');
    const bound = bindParams(text, params, this.#placeholders);
    const scope = this.#current.getStore();
    try {
      return await (scope?.connection ?? this.#kysely).executeQuery<T>(CompiledQuery.raw(bound.text, bound.values));
    } catch (err) {
      if (scope) scope.failed ??= err;
      throw unreachable(err);
    }
  }
}

/**
 * A statement failed inside a transaction and `fn` caught the failure and resolved: the transaction is
 * rolled back (see Database.transaction), on both back-ends alike.
 */
export class CaughtStatementFailure extends Error {
  constructor(failure: unknown) {
    super(
      `a statement failed inside a transaction and its failure was caught (${failure instanceof Error ? failure.message : String(failure)}): ` +
        'PostgreSQL aborts the transaction at a failed statement, so it is rolled back on every back-end; ' +
        'run a statement that may fail in a nested transaction (a savepoint), or avoid the failure (ON CONFLICT)',
      { cause: failure },
    );
  }
}

/** Socket errors and SQLSTATEs that say the server is gone or not (yet) taking queries, not that a statement failed. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const UNREACHABLE_STATES = /^(08...|57P0[123])$/; // connection exception; admin/crash shutdown, cannot connect now
const UNREACHABLE_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

/**
 * A PostgreSQL server that is restarting or unreachable: a 503 the client may retry (the pool opens
 * fresh connections once it is back), not a 500 that reads as a bug. Other errors pass unchanged.
 */
function unreachable(err: unknown): unknown {
  if (err instanceof AppError || !(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  const gone =
    (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || UNREACHABLE_STATES.test(code))) ||
    UNREACHABLE_MESSAGES.test(err.message);
  return gone ? new AppError('database_unavailable', 'the database is unreachable; try again shortly', 503) : err;
}

function raw(connection: Connection, text: string): Promise<QueryResult<unknown>> {
  return connection.executeQuery(CompiledQuery.raw(text, []));
}

/** OIDs whose text form pg would hand over as strings: int8 (COUNT, BIGINT columns) and numeric (SUM, AVG). */
const NUMERIC_OIDS = new Set([20, 1700]);

/**
 * The pool's own type parsers (not pg's global ones, which every pool in the process shares): int8 and
 * numeric as Number, as SQLite returns them — ms timestamps and sizes stay far below 2^53.
 */
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (NUMERIC_OIDS.has(oid) && format !== 'binary') return Number;
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

/** The advisory lock every `immediate` transaction on PostgreSQL takes ("tongbanW"). */
const WRITE_LOCK = '8390046021125762647';

/** The advisory lock key the migrations run under (any fixed 64-bit number; this one spells "tongban1"). */
const MIGRATION_LOCK = '8390046021125762609';

async function migratePostgres(pool: pg.Pool, list: readonly Migration[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((r) => r.version));
      for (const m of [...list].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) continue;
        if (m.postgres === undefined) throw new Error(`migration ${m.version} (${m.name}) has no PostgreSQL text`);
        await client.query('BEGIN');
        try {
          // No parameters: the simple query protocol, which runs the several statements of a migration.
          await client.query(m.postgres);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            new Date().toISOString(),
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

function migrateSqlite(db: Sqlite, list: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    })();
  }
}
