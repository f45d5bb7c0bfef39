// Private engine instances (PostgreSQL, Redis, an S3 server) started by scripts/engines/<name>.sh:
// Debian packages, free loopback ports, every file under one directory. Free of vitest, so that
// benchmarks (`npm run load -- --cluster`) start their engines the way the tests do.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type EngineName = 'postgres' | 'redis' | 's3';

export interface EngineInstance {
  readonly name: EngineName;
  readonly dir: string;
  readonly url: string;
  /** The script's state file (ports, pids, keys, start-up time). */
  readonly state: Readonly<Record<string, string>>;
  /** How long this call waited for the instance: its start-up, or almost nothing when reused. */
  readonly waitedMs: number;
}

/**
 * Starts (or finds running) the engine in `dir`; heavy start-ups run under `nice` (shared machine).
 * `listen`: an address of a network lab it also listens on (see scripts/engines/lib.sh).
 * `flock --close`: the daemons started must not inherit the lock, or they would hold it for good.
 */
export async function startEngine(
  name: EngineName,
  dir: string,
  options: { readonly listen?: string } = {},
): Promise<EngineInstance> {
  const t0 = Date.now();
  const script = join(process.cwd(), 'scripts/engines', `${name}.sh`);
  const listen = options.listen ? ['--listen', options.listen] : [];
  const { stdout } = await run(
    'flock',
    ['--close', `${dir}.lock`, 'nice', '-n', '15', 'bash', script, 'start', '--dir', dir, ...listen],
    { timeout: 600_000 },
  );
  return { name, dir, url: stdout.trim().split('\n').at(-1)!, state: readState(dir), waitedMs: Date.now() - t0 };
}

export async function stopEngine(name: EngineName, dir: string): Promise<void> {
  await run('bash', [join(process.cwd(), 'scripts/engines', `${name}.sh`), 'stop', '--dir', dir], { timeout: 120_000 });
}

function readState(dir: string): Record<string, string> {
  const text = readFileSync(join(dir, 'state.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}
