// Private engine instances for tests, started by scripts/engines/<name>.sh (Debian packages, free
// loopback ports, every file under one directory). One instance per engine is shared by all test
// files of a run: vitest.global-setup.ts provides the run's directory and stops what was started
// there at the end; `flock` makes the first file to ask start it and the others reuse it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import type { S3Settings } from '../kernel/store/S3BlobStore.js';

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

declare module 'vitest' {
  export interface ProvidedContext {
    enginesDir: string;
  }
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

/** The run's shared instance of the engine (started by the first test file that asks). */
export function sharedEngine(name: EngineName): Promise<EngineInstance> {
  return startEngine(name, join(inject('enginesDir'), name));
}

/** The S3 settings of an instance started by s3.sh, for `bucket`. */
export function s3Settings(s3: EngineInstance, bucket: string): S3Settings {
  return {
    endpoint: s3.url,
    bucket,
    accessKey: s3.state.ACCESS_KEY!,
    secretKey: s3.state.SECRET_KEY!,
    region: 'us-east-1',
  };
}

/** The same as environment variables (a `tongban` command run by a test). */
export function s3Env(settings: S3Settings): Record<string, string> {
  return {
    TONGBAN_S3_ENDPOINT: settings.endpoint,
    TONGBAN_S3_BUCKET: settings.bucket,
    TONGBAN_S3_ACCESS_KEY: settings.accessKey,
    TONGBAN_S3_SECRET_KEY: settings.secretKey,
    TONGBAN_S3_REGION: settings.region,
  };
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
