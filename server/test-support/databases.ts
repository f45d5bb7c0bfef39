// A fresh database for a test on either back-end, and a `describe` per back-end for a store's tests:
// SQLite in a temporary file; PostgreSQL as a database of its own (CREATE DATABASE with a unique
// name, dropped afterwards) in the run's private instance (vitest.postgres-setup.ts).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, inject } from 'vitest';
import { Database } from '../kernel/store/Database.js';
import { migrations as allMigrations, type Migration } from '../kernel/store/migrations/index.js';
import { openDatabase } from '../kernel/store/open-database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export type Backend = Database['dialect'];

/**
 * The back-end of this run: PostgreSQL when TONGBAN_TEST_DATABASE=postgres (`npm run test:postgres`
 * runs the same test files with every TestServer and store test on it), SQLite otherwise.
 */
export const TEST_BACKEND: Backend = process.env.TONGBAN_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

/** Both back-ends; only PostgreSQL in the PostgreSQL run (the SQLite half already ran in `npm test`). */
export const BACKENDS: readonly Backend[] = TEST_BACKEND === 'postgres' ? ['postgres'] : ['sqlite', 'postgres'];

export interface TestDatabase {
  readonly backend: Backend;
  /** The database, migrated. */
  readonly db: Database;
  /**
   * Another connection (pool) to the same database, migrated with `migrations` (the same list when
   * absent): a second node. Closed by drop(). On SQLite only for reads beside the first: two
   * connections of one process cannot wait for each other's write lock.
   */
  open(options?: { poolSize?: number; migrations?: readonly Migration[] }): Promise<Database>;
  /** Closes every connection opened here and removes the database. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  readonly migrations?: readonly Migration[];
  readonly poolSize?: number;
}

/** A fresh, migrated database on `backend` (every migration unless told otherwise). */
export async function testDatabase(backend: Backend, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const list = options.migrations ?? allMigrations;
  const opened: Database[] = [];
  const track = (db: Database) => (opened.push(db), db);
  const closeAll = () => Promise.all(opened.map((db) => db.close()));
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-db-'));
    const file = join(dir, 'tongban.sqlite');
    return {
      backend,
      db: track(Database.open(file, list)),
      open: async (o = {}) => track(Database.open(file, o.migrations ?? list)),
      drop: async () => {
        await closeAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = await createPostgresDatabase();
  const connect = (poolSize = options.poolSize, migrations = list) =>
    Database.connect(url.href, { poolSize, migrations });
  return {
    backend,
    db: track(await connect()),
    open: async (o = {}) => track(await connect(o.poolSize, o.migrations)),
    drop: async () => {
      await closeAll();
      await dropPostgresDatabase(url);
    },
  };
}

/** Runs `fn` once per back-end inside `describe('<name> (<backend>)')`. */
export function describeBackends(name: string, fn: (backend: Backend) => void): void {
  describe.each(BACKENDS)(`${name} (%s)`, fn);
}

/** The database of a data directory a test makes itself, for the `tongban` command's `--data DIR`. */
export interface DataDirDatabase {
  /** Opens it, migrated (the SQLite file in the directory, or the run's PostgreSQL database). */
  open(): Promise<Database>;
  /** What the command needs beside `--data DIR` to find it: TONGBAN_DATABASE_URL on PostgreSQL. */
  readonly env: Readonly<Record<string, string>>;
  /** Removes the PostgreSQL database (the SQLite file goes with the directory). */
  drop(): Promise<void>;
}

/** The database of `dataDir` on this run's back-end (TEST_BACKEND): its SQLite file, or a fresh PostgreSQL database. */
export async function dataDirDatabase(dataDir: string): Promise<DataDirDatabase> {
  if (TEST_BACKEND === 'sqlite')
    return { open: () => openDatabase({ dataDir }), env: {}, drop: () => Promise.resolve() };
  const { url, drop } = await emptyPostgresDatabase();
  return { open: () => openDatabase({ dataDir, databaseUrl: url }), env: { TONGBAN_DATABASE_URL: url }, drop };
}

/** A new, empty PostgreSQL database for a whole server (TestServer's databaseUrl), and its removal. */
export async function emptyPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = await createPostgresDatabase();
  return {
    url: url.href,
    drop: () => dropPostgresDatabase(url),
  };
}

/**
 * A copy of the PostgreSQL database at `url` (CREATE DATABASE … TEMPLATE: nothing may be connected to
 * it), for tests that work on copies of a stopped server's data, and its removal.
 */
export async function copyPostgresDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const copy = await createPostgresDatabase(new URL(url).pathname.slice(1));
  return { url: copy.href, drop: () => dropPostgresDatabase(copy) };
}

/** A new database in the run's PostgreSQL, empty or a copy of `template`; its URL. */
async function createPostgresDatabase(template?: string): Promise<URL> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`));
  const url = new URL(postgresUrl());
  url.pathname = `/${name}`;
  return url;
}

async function dropPostgresDatabase(url: URL): Promise<void> {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS "${url.pathname.slice(1)}" WITH (FORCE)`));
}

function postgresUrl(): string {
  const url = inject('postgresUrl');
  if (!url) throw new Error('no PostgreSQL for this run: vitest.postgres-setup.ts did not provide postgresUrl');
  return url;
}

/** A short-lived connection to the instance's own database, for CREATE and DROP DATABASE. */
async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
