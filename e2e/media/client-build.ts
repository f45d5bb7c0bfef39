// Builds client/dist once per test file when it is missing or older than any client source.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const clientDist = resolve(import.meta.dirname, '../../client/dist');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function ensureClientBuilt(): void {
  const index = join(clientDist, 'index.html');
  const root = resolve(clientDist, '..');
  const sources = Math.max(newest(join(root, 'src')), statSync(join(root, 'index.html')).mtimeMs, statSync(resolve(root, '../server/realtime/media-protocol.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  // vitest sets NODE_ENV=test, which would give a development React build (StrictMode double effects).
  const env = { ...process.env, NODE_ENV: 'production' };
  const r = spawnSync('npx', ['vite', 'build', '--config', join(root, 'vite.config.ts'), '--logLevel', 'warn'], { stdio: 'inherit', env });
  if (r.status !== 0) throw new Error('vite build of the client failed');
}
