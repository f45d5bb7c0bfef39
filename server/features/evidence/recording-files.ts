// The sealed recording of a session as files for a package: manifest.json and its seal (read),
// and every segment it lists (named by path: they are streamed into the zip, not loaded).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '../../kernel/store/Database.js';
import type { ZipSource } from './zip.js';
import { RecordingStore } from '../recording/RecordingStore.js';
import { manifestName, sealName } from '../recording/manifest.js';

export interface RecordingFiles {
  readonly status: string;
  readonly files: Map<string, ZipSource>;
}

/** Undefined when the session was never recorded. */
export async function readRecordingFiles(db: Database, sessionId: string): Promise<RecordingFiles | undefined> {
  const row = new RecordingStore(db).get(sessionId);
  if (!row) return undefined;
  const files = new Map<string, ZipSource>();
  const manifest = await readFile(join(row.dir, manifestName)).catch(() => undefined);
  if (manifest) files.set(manifestName, manifest);
  const seal = await readFile(join(row.dir, sealName)).catch(() => undefined);
  if (seal) files.set(sealName, seal);
  for (const segment of new RecordingStore(db).segments(sessionId)) {
    files.set(segment.file, { path: join(row.dir, segment.file) });
  }
  return { status: row.status, files };
}
