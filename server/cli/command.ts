import { writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A CLI failure the user can act on: printed as one line, exit code 2 by default. */
/** The argument verify-pool.ts starts its worker threads with (in the bundle they start at main.ts). */
export const VERIFY_WORKER_ARG = '--tongban-verify-worker';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export interface Command {
  /** e.g. 'pki' for `tongban pki init`; undefined for top-level commands such as `tongban verify`. */
  readonly group?: string;
  readonly name: string;
  readonly usage: string;
  run(args: readonly string[]): Promise<number>;
}

/** node:util parseArgs with unknown options and bad values turned into one-line CliErrors. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
}

/** `--data`, then TONGBAN_DATA, then ./data. */
export function resolveDataDir(flag: string | undefined): string {
  return resolve(flag ?? process.env.TONGBAN_DATA ?? 'data');
}

export function printUsage(list: readonly Command[]): void {
  process.stdout.write('usage:\n');
  for (const c of list) process.stdout.write(`  tongban ${c.usage}\n`);
}

/**
 * All of `text` to stdout through its file descriptor, not process.stdout: creating that stream on
 * a pipe loads node:net and opens a libuv pipe, ≈ 10 M instructions of a single-file `tongban
 * verify` (callgrind). A reader that went away (EPIPE) is not a failure of the command.
 */
export function writeStdout(text: string): void {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length;) {
    try {
      at += writeSync(1, bytes, at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw err;
      // A non-blocking stdout that is full: wait a moment for its reader.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
