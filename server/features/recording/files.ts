// Durable file helpers for evidence: hash a finished file and push it (and its folder entry) to disk.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export async function writeDurably(path: string, data: Uint8Array): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A folder-safe name for ids like `user:clerk.cixi` (distinct ids stay distinct via a short hash). */
export function safeName(id: string): string {
  const plain = id.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
  return plain === id && !/^\.+$/.test(id)
    ? id
    : `${plain}-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`;
}

/**
 * A session's recording folder: the one the database row names, unless the data directory was
 * moved or restored elsewhere since; then <dataDir>/recordings/<session>.
 */
export function recordingDirectory(dataDir: string, sessionId: string, row?: { readonly dir: string }): string {
  return row && existsSync(row.dir) ? row.dir : join(dataDir, 'recordings', safeName(sessionId));
}
