// Test helpers around evidence packages: unpack to a folder, run the README's openssl and
// sha256sum commands there, and rebuild a package with one byte of one file changed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { readZip, zipStream } from '../features/evidence/index.js';

export async function unpack(zip: Buffer): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-evidence-'));
  for (const [name, bytes] of (await readZip(zip)).files) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  return dir;
}

export interface CommandResult {
  readonly status: number | null;
  readonly output: string;
}

/** The two commands of the README section "Verifying an evidence package". */
export function readmeCommands(dir: string, rootPemPath: string): { openssl: CommandResult; sha256sum: CommandResult } {
  const run = (cmd: string, args: string[]): CommandResult => {
    const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };
  return {
    openssl: run('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      'SHA256SUMS.p7s',
      '-content',
      'SHA256SUMS',
      '-CAfile',
      rootPemPath,
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ]),
    sha256sum: run('sha256sum', ['-c', 'SHA256SUMS']),
  };
}

/** Unpacks `zip`, writes the root certificate beside the folder and runs the README's commands there; both paths go to `cleanup`. */
export async function readmeCommandsOnPackage(
  zip: Buffer,
  rootPem: string,
  cleanup: string[],
): Promise<ReturnType<typeof readmeCommands>> {
  const dir = await unpack(zip);
  cleanup.push(dir);
  const root = join(dir, '..', `${dir.split('/').pop()}.root.pem`);
  writeFileSync(root, rootPem);
  cleanup.push(root);
  return readmeCommands(dir, root);
}

/** The same package with byte `at` (default: the middle) of `file` flipped, entries kept in order. */
export async function withFlippedByte(zip: Buffer, file: string, at?: number): Promise<Buffer> {
  const { files } = await readZip(zip);
  const bytes = Buffer.from(files.get(file)!);
  const i = at ?? Math.floor(bytes.length / 2);
  bytes[i] = bytes[i]! ^ 0x01;
  files.set(file, bytes);
  return zipBytes(zipStream(files, new Date('2026-06-01T08:00:00Z')));
}

/** A streamed zip, whole. */
export async function zipBytes(zip: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of zip as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
