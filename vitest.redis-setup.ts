import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

// One private Redis for the whole run (scripts/engines/redis.sh: installed when missing, a free
// loopback port, its files in a temporary directory), handed to the cluster tests as `redisUrl`.
// Both test projects run this setup in the one main process: the first starts it, the last stops it.
// (The type of `redisUrl` is declared in server/test-support/redis.ts.)

const shared = globalThis as { tongbanRedis?: { url: string; dir: string; users: number } };

export default function setup(project: TestProject): () => void {
  if (!shared.tongbanRedis) {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-redis-'));
    const r = spawnSync('bash', ['scripts/engines/redis.sh', 'start', '--dir', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) throw new Error('vitest redis setup: scripts/engines/redis.sh start failed (see above)');
    shared.tongbanRedis = { url: r.stdout.trim(), dir, users: 0 };
  }
  const redis = shared.tongbanRedis;
  redis.users += 1;
  project.provide('redisUrl', redis.url);
  return () => {
    redis.users -= 1;
    if (redis.users > 0) return;
    spawnSync('bash', ['scripts/engines/redis.sh', 'stop', '--dir', redis.dir], { stdio: 'inherit' });
    rmSync(redis.dir, { recursive: true, force: true });
    shared.tongbanRedis = undefined;
  };
}
