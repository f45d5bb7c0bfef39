// The data directory holds personal data (database, blobs, recordings, evidence packages) and the
// token: owner-only. New files are made private by the process umask (0600 files, 0700
// directories); data directories from before are tightened once on start.
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Everything the process creates from now on is owner-only. */
export function privateUmask(): void {
  process.umask(0o077);
}

/** Creates the data directory 0700 and takes group/other access off everything already in it. */
export function protectDataDir(dataDir: string): void {
  privateUmask();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  tighten(dataDir);
}

function tighten(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if ((st.mode & 0o077) !== 0) chmodSync(path, st.mode & 0o700);
  if (st.isDirectory()) for (const name of readdirSync(path)) tighten(join(path, name));
}
