// bin/tongban.cjs compiles the bundled command with a V8 code cache per command. The cache may only
// make a command faster: a missing, damaged or foreign one must give the same output.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cacheDir = join(process.cwd(), 'dist', 'cli', 'code-cache');

function tongban(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/tongban.cjs', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The cache files of the `tongban help` command (other tests use the others meanwhile). */
const helpCaches = () =>
  existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.startsWith('help.') && f.endsWith('.bin')) : [];

describe('tongban launcher code cache', () => {
  it('writes a cache after a successful run and ignores a damaged one, rewriting it', () => {
    for (const f of helpCaches()) rmSync(join(cacheDir, f));
    const first = tongban('help');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('tongban sign');
    const [cache] = helpCaches();
    expect(cache, 'a cache file for `help` after its first run').toBeDefined();
    const file = join(cacheDir, cache!);
    const good = readFileSync(file);
    expect(good.length).toBeGreaterThan(10_000);

    expect(tongban('help')).toEqual(first);

    const garbage = Buffer.alloc(good.length, 0x5a);
    writeFileSync(file, garbage);
    expect(tongban('help')).toEqual(first);
    const rewritten = readFileSync(file);
    expect(rewritten.equals(garbage)).toBe(false);
    expect(tongban('help')).toEqual(first);
  });

  it('does not write a cache for a failed run', () => {
    const r = tongban('nosuchcommand');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('tongban: unknown command: nosuchcommand (see tongban --help)\n');
    const caches = existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.startsWith('nosuchcommand.')) : [];
    expect(caches).toEqual([]);
  });
});
