// Migration 031 on a database written before it: old invitations get ids, and the guest logins
// that every code of a session shared (no guest id) end, while staff logins stay.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { Database } from '../Database.js';
import { migrations } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tongban-m031-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('031 gives old invitations ids and ends the shared guest logins', () => {
  const file = join(dir, 'tongban.db');
  const before = Database.open(
    file,
    migrations.filter((m) => m.version < 31),
  );
  // Rows only, no parents: this checks the migration's own statements.
  before.sql.pragma('foreign_keys = OFF');
  const at = '2026-11-01T00:00:00.000Z';
  before.sql
    .prepare(
      `INSERT INTO invitations (code_hash, session_id, case_id, created_by, created_at, expires_at)
       VALUES ('h1', 's1', 'c1', 'clerk.cixi', ?, ?), ('h2', 's1', 'c1', 'clerk.cixi', ?, ?)`,
    )
    .run(at, at, at, at);
  before.sql
    .prepare(
      `INSERT INTO login_sessions (token_hash, kind, user_id, session_id, created_at, expires_at)
       VALUES ('t-guest', 'guest', NULL, 's1', ?, '2999-01-01T00:00:00.000Z'),
              ('t-user', 'user', 'clerk.cixi', NULL, ?, '2999-01-01T00:00:00.000Z')`,
    )
    .run(at, at);
  before.close();

  const after = Database.open(file);
  const ids = after.sql.prepare('SELECT id FROM invitations ORDER BY code_hash').all() as { id: string }[];
  expect(ids.map((r) => r.id)).toEqual([
    expect.stringMatching(/^[0-9a-f]{24}$/),
    expect.stringMatching(/^[0-9a-f]{24}$/),
  ]);
  expect(ids[0]?.id).not.toBe(ids[1]?.id);
  const logins = after.sql
    .prepare('SELECT token_hash AS t, revoked_at AS r FROM login_sessions ORDER BY token_hash')
    .all() as { t: string; r: string | null }[];
  expect(logins).toEqual([
    { t: 't-guest', r: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    { t: 't-user', r: null },
  ]);
  after.close();
});
