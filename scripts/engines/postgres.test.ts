// scripts/engines/postgres.sh: private PostgreSQL instances on free loopback ports, each stopping
// only itself. Two are started side by side; stopping one leaves the other answering.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { startEngine, stopEngine } from '../../server/test-support/engines.js';

const root = mkdtempSync(join(tmpdir(), 'tongban-pg-'));
chmodSync(root, 0o755); // the server runs as the user postgres when tests run as root
afterAll(async () => {
  for (const d of ['a', 'b']) await stopEngine('postgres', join(root, d));
  rmSync(root, { recursive: true, force: true });
});

const psql = (url: string, sql: string) =>
  spawnSync('/usr/lib/postgresql/15/bin/psql', [url, '-qAtc', sql], { encoding: 'utf8', timeout: 30_000 });

test('two private instances on their own ports; stop ends only its own', async () => {
  const a = await startEngine('postgres', join(root, 'a'));
  const b = await startEngine('postgres', join(root, 'b'));
  console.log(`postgres.sh: first start (initdb + start) waited ${a.waitedMs} ms and ${b.waitedMs} ms`);
  expect(a.url).toMatch(/^postgres:\/\/tongban:[^@]+@127\.0\.0\.1:\d+\/tongban$/);
  expect(a.state.PORT).not.toBe(b.state.PORT);
  expect(a.state.PORT).not.toBe('5432');
  expect(psql(a.url, 'select current_database()').stdout.trim()).toBe('tongban');
  // A second start of a running instance is a no-op that prints the same URL.
  expect((await startEngine('postgres', join(root, 'a'))).url).toBe(a.url);
  await stopEngine('postgres', join(root, 'a'));
  expect(psql(a.url, 'select 1').status).not.toBe(0);
  expect(psql(b.url, 'select 1').stdout.trim()).toBe('1');
  // Stopping a directory that holds no instance touches nothing.
  const none = execFileSync('bash', ['scripts/engines/postgres.sh', 'stop', '--dir', join(root, 'none')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(none).toBe('');
  expect(psql(b.url, 'select 1').stdout.trim()).toBe('1');
  // Restarted on its data: the rows are still there.
  psql(b.url, 'create table kept (v int); insert into kept values (42)');
  await stopEngine('postgres', join(root, 'b'));
  const again = await startEngine('postgres', join(root, 'b'));
  console.log(`postgres.sh: restart on existing data waited ${again.waitedMs} ms`);
  expect(psql(again.url, 'select v from kept').stdout.trim()).toBe('42');
});
