import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeBackends, testDatabase, type TestDatabase } from '../../test-support/databases.js';
import { CaughtStatementFailure, type Database } from './Database.js';
import type { Migration } from './migrations/index.js';

const table = `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0);`;
const schema: Migration = { version: 1, name: 'test table', sql: table, postgres: table };
const blobs: Migration = {
  version: 2,
  name: 'sizes and bytes',
  sql: 'CREATE TABLE files (id TEXT PRIMARY KEY, size INTEGER NOT NULL, body BLOB NOT NULL);',
  postgres: 'CREATE TABLE files (id TEXT PRIMARY KEY, size BIGINT NOT NULL, body BYTEA NOT NULL);',
};

describeBackends('Database: the asynchronous API every store uses', (backend) => {
  let t: TestDatabase;
  let db: Database;
  beforeEach(async () => {
    t = await testDatabase(backend, { migrations: [schema, blobs] });
    db = t.db;
  });
  afterEach(() => t.drop());

  it('runs statements with positional and named parameters and counts changes', async () => {
    expect((await db.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1, "it's ? here"])).changes).toBe(1);
    await db.run('INSERT INTO notes (id, body) VALUES (@id, @body)', { id: 2, body: '@body stays' });
    expect(await db.all<{ id: number; body: string }>('SELECT id, body FROM notes ORDER BY id')).toEqual([
      { id: 1, body: "it's ? here" },
      { id: 2, body: '@body stays' },
    ]);
    expect(await db.get('SELECT body FROM notes WHERE id = ?', [3])).toBeUndefined();
    expect((await db.run('UPDATE notes SET n = n + 1')).changes).toBe(2);
    await expect(db.get('SELECT * FROM notes WHERE id = ? AND body = ?', [1])).rejects.toThrow(/too few values/);
    await expect(db.get('SELECT * FROM notes WHERE id = @id', {})).rejects.toThrow(/no value for @id/);
    expect(await db.schemaVersion()).toBe(2);
    expect(db.dialect).toBe(backend);
  });

  it('commits a transaction, rolls back a failed one, and a nested one is a savepoint', async () => {
    await db.transaction(async () => {
      await db.run('INSERT INTO notes (id, body) VALUES (1, ?)', ['kept']);
    });
    await expect(
      db.transaction(async () => {
        await db.run('INSERT INTO notes (id, body) VALUES (2, ?)', ['rolled back']);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await db.transaction(async () => {
      await db.run('INSERT INTO notes (id, body) VALUES (3, ?)', ['outer']);
      await db
        .transaction(async () => {
          await db.run('INSERT INTO notes (id, body) VALUES (4, ?)', ['inner, undone']);
          throw new Error('inner');
        })
        .catch(() => undefined);
      expect(db.inTransaction).toBe(true);
    }, 'immediate');
    expect((await db.all<{ id: number }>('SELECT id FROM notes ORDER BY id')).map((r) => r.id)).toEqual([1, 3]);
    expect(db.inTransaction).toBe(false);
  });

  it('a failed statement whose failure is caught rolls the transaction back on both; in a savepoint it is the caller’s', async () => {
    await db.run('INSERT INTO notes (id, body) VALUES (1, ?)', ['there']);
    const duplicate = () => db.run('INSERT INTO notes (id, body) VALUES (1, ?)', ['again']);
    // Insert-then-catch inside a transaction: PostgreSQL aborts the transaction at the failed insert,
    // SQLite would go on; on both the transaction is rolled back and says why.
    const caught = db.transaction(async () => {
      await db.run('INSERT INTO notes (id, body) VALUES (2, ?)', ['lost with the transaction']);
      await duplicate().catch(() => undefined);
    }, 'immediate');
    await expect(caught).rejects.toBeInstanceOf(CaughtStatementFailure);
    await expect(caught).rejects.toThrow(/failure was caught .*nested transaction \(a savepoint\)/);
    // The portable form: the statement that may fail in its own savepoint; the rest commits.
    await db.transaction(async () => {
      await db.run('INSERT INTO notes (id, body) VALUES (3, ?)', ['kept']);
      const inserted = await db.transaction(duplicate).then(
        () => true,
        () => false,
      );
      expect(inserted).toBe(false);
      await db.run('UPDATE notes SET n = n + 1 WHERE id = 3');
    }, 'immediate');
    // A nested transaction that catches its own statement's failure is rolled back to its savepoint.
    await db.transaction(async () => {
      await db
        .transaction(async () => {
          await db.run('INSERT INTO notes (id, body) VALUES (4, ?)', ['undone']);
          await duplicate().catch(() => undefined);
        })
        .catch((err: unknown) => expect(err).toBeInstanceOf(CaughtStatementFailure));
      await db.run('INSERT INTO notes (id, body) VALUES (5, ?)', ['kept']);
    });
    expect(await db.all('SELECT id, n FROM notes ORDER BY id')).toEqual([
      { id: 1, n: 0 },
      { id: 3, n: 1 },
      { id: 5, n: 0 },
    ]);
  });

  it('serialises concurrent read-then-write immediate transactions: no update is lost', async () => {
    await db.run('INSERT INTO notes (id, body) VALUES (1, ?)', ['counter']);
    const bump = () =>
      db.transaction(async () => {
        const row = await db.get<{ n: number }>('SELECT n FROM notes WHERE id = 1');
        await new Promise((r) => setTimeout(r, 1));
        await db.run('UPDATE notes SET n = ? WHERE id = 1', [row!.n + 1]);
      }, 'immediate');
    await Promise.all(Array.from({ length: 20 }, bump));
    expect((await db.get<{ n: number }>('SELECT n FROM notes WHERE id = 1'))!.n).toBe(20);
  });

  it('returns counts and big sizes as numbers and bytes as Buffers', async () => {
    const size = 2 ** 40 + 3; // beyond 32 bits: BIGINT on PostgreSQL
    const body = Buffer.from([0, 1, 2, 255]);
    await db.run('INSERT INTO files (id, size, body) VALUES (?, ?, ?)', ['a', size, body]);
    const row = await db.get<{ size: number; body: Buffer }>('SELECT size, body FROM files');
    expect(row).toEqual({ size, body });
    expect(Buffer.isBuffer(row!.body)).toBe(true);
    expect(await db.get('SELECT COUNT(*) AS n, SUM(size) AS total FROM files')).toEqual({ n: 1, total: size });
  });
});

// Two SQLite connections in one process cannot wait for each other (better-sqlite3 waits for a lock
// synchronously, blocking the holder too); several SQLite processes are the CLI beside the server.
describe('Database on PostgreSQL: several nodes on one database', () => {
  let t: TestDatabase;
  let db: Database;
  beforeEach(async () => {
    t = await testDatabase('postgres', { migrations: [schema, blobs] });
    db = t.db;
  });
  afterEach(() => t.drop());

  it('a second node sees committed rows and waits for an immediate transaction of the first', async () => {
    const other = await t.open();
    const order: string[] = [];
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const first = db.transaction(async () => {
      await db.run('INSERT INTO notes (id, body) VALUES (1, ?)', ['first']);
      entered();
      await new Promise((r) => setTimeout(r, 150));
      order.push('first');
    }, 'immediate');
    await inside;
    const second = other.transaction(async () => {
      const seen = await other.get<{ body: string }>('SELECT body FROM notes WHERE id = 1');
      order.push(`second saw ${seen?.body}`);
      await other.run('INSERT INTO notes (id, body) VALUES (2, ?)', ['second']);
    }, 'immediate');
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second saw first']);
    expect(await other.schemaVersion()).toBe(2);
  });

  it('nodes starting at once on a new database apply each migration once (advisory lock)', async () => {
    const empty = await testDatabase('postgres', { migrations: [] });
    const nodes = await Promise.all([1, 2, 3].map(() => empty.open({ migrations: [schema, blobs] })));
    const rows = await nodes[0]!.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
    await nodes[1]!.close();
    await expect(nodes[1]!.get('SELECT 1')).rejects.toThrow();
    await empty.drop();
  });

  it('a connection the server ends is a 503 database_unavailable; a statement error stays itself', async () => {
    // The server ending the connection under a transaction, as a restart does (57P01 admin_shutdown).
    const ended = db.transaction(async () => {
      await db.run('INSERT INTO notes (id, body) VALUES (1, ?)', ['lost']);
      await db.get('SELECT pg_terminate_backend(pg_backend_pid())');
    });
    await expect(ended).rejects.toMatchObject({ code: 'database_unavailable', status: 503 });
    // The pool opens a fresh connection for the next statement; the ended transaction left nothing.
    expect(await db.all('SELECT * FROM notes')).toEqual([]);
    await expect(db.get('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
  });
});
