import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

// One private PostgreSQL for the whole run (scripts/engines/postgres.sh: installed when missing, a
// free loopback port, its cluster in a temporary directory), handed to the tests as `postgresUrl`;
// each test takes a database of its own in it (server/test-support/databases.ts). Both test
// projects run this setup in the one main process: the first starts it, the last stops it.
// (The type of `postgresUrl` is declared in server/test-support/databases.ts.)

const shared = globalThis as { tongbanPostgres?: { url: string; dir: string; users: number } };

export default function setup(project: TestProject): () => void {
  if (!shared.tongbanPostgres) {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-postgres-'));
    chmodSync(dir, 0o755); // the server runs as the user postgres when the tests run as root
    const r = spawnSync(
      'nice',
      ['-n', '15', 'bash', 'scripts/engines/postgres.sh', 'start', '--dir', join(dir, 'pg')],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (r.status !== 0) throw new Error('vitest postgres setup: scripts/engines/postgres.sh start failed (see above)');
    shared.tongbanPostgres = { url: r.stdout.trim().split('\n').at(-1)!, dir, users: 0 };
  }
  const postgres = shared.tongbanPostgres;
  postgres.users += 1;
  project.provide('postgresUrl', postgres.url);
  return () => {
    postgres.users -= 1;
    if (postgres.users > 0) return;
    spawnSync('bash', ['scripts/engines/postgres.sh', 'stop', '--dir', join(postgres.dir, 'pg')], { stdio: 'inherit' });
    rmSync(postgres.dir, { recursive: true, force: true });
    shared.tongbanPostgres = undefined;
  };
}
