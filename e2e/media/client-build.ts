// The built client for browser tests: one vite build per distinct source state, in
// <tmpdir>/tongban-client-build/<hash>/ (no dot folders: static servers refuse those), built once in a test file's beforeAll and reused by every later file.
// Built to a private folder and renamed into place, so parallel test files never serve a
// half-written build (and client/dist, the served build of `tongban serve`, is left alone).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
const client = join(repo, 'client');

function hashTree(hash: ReturnType<typeof createHash>, path: string): void {
  if (!existsSync(path)) return;
  const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = join(path, e.name);
    if (e.isDirectory()) hashTree(hash, p);
    else hash.update(p).update(readFileSync(p));
  }
}

function sourceHash(): string {
  const hash = createHash('sha256');
  hashTree(hash, join(client, 'src'));
  hashTree(hash, join(repo, 'protocol')); // the client bundles the shared protocol
  for (const f of [join(client, 'index.html'), join(client, 'vite.config.ts'), join(repo, 'package-lock.json')]) {
    if (existsSync(f)) hash.update(f).update(readFileSync(f));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Returns the folder holding the built client (index.html + assets). */
export function ensureClientBuilt(): string {
  const dir = join(tmpdir(), 'tongban-client-build', sourceHash());
  if (existsSync(join(dir, 'index.html'))) return dir;
  const staging = `${dir}.${process.pid}`;
  // vitest sets NODE_ENV=test, which would give a development React build (StrictMode double effects).
  const env = { ...process.env, NODE_ENV: 'production' };
  const r = spawnSync(
    'npx',
    [
      'vite',
      'build',
      '--config',
      join(client, 'vite.config.ts'),
      '--outDir',
      staging,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    {
      stdio: 'inherit',
      env,
    },
  );
  if (r.status !== 0) throw new Error('vite build of the client failed');
  try {
    renameSync(staging, dir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another test file finished the same build first
  }
  return dir;
}
