import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from './Database.js';
import type { Migration } from './migrations/index.js';

const schema: Migration = {
  version: 1,
  name: 'test table',
  sql: `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0);`,
};

describe('Database (embedded SQLite): the asynchronous API every store uses', () => {
  let dir: string;
  let db: Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-db-'));
    db = Database.open(join(dir, 'test.sqlite'), [schema]);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

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
    expect(await db.schemaVersion()).toBe(1);
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

  it('serialises concurrent read-then-write transactions: no update is lost', async () => {
    await db.run('INSERT INTO notes (id, body) VALUES (1, ?)', ['counter']);
    const bump = () =>
      db.transaction(async () => {
        const row = await db.get<{ n: number }>('SELECT n FROM notes WHERE id = 1');
        await new Promise((r) => setTimeout(r, 1));
        await db.run('UPDATE notes SET n = ? WHERE id = 1', [row!.n + 1]);
      });
    await Promise.all(Array.from({ length: 20 }, bump));
    expect((await db.get<{ n: number }>('SELECT n FROM notes WHERE id = 1'))!.n).toBe(20);
  });
});
