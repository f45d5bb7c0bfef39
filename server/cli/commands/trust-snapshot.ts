// A snapshot of the data directory's trust for `tongban verify` (the root, the CA certificates and
// their current CRLs) in the data directory's cache: reading it instead of the database spares a
// verify loading SQLite and opening the database, a fifth of a single-file verify's start-up cost.
//
// It may only ever stand for what the database holds now, never widen trust, so it is used only
// while all of these hold; otherwise the caller reads the database as before and writes a new one:
// - the database file and its -wal are the files it was read from, unchanged: device, inode, size,
//   mtime and ctime. Every write (a revocation and its new CRL, a re-issued CRL, any other row)
//   changes them; ctime cannot be set back by a program, so a restored copy or a `touch -d` shows too;
// - every CRL in it is before its next update (after that the database path re-issues it);
// - the file is intact (its SHA-256 line matches), of this format, written for this database file,
//   a regular file of the database's owner that no one else may write.
// A snapshot is only written when the database files had not changed for RACY_MS before the read
// began: file times come from a coarse clock, and a write landing in the same tick as the read
// could leave them as they were (git's "racily clean" index entries). A write after the read then
// always shows as a newer ctime.
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  type BigIntStats,
} from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../../kernel/store/paths.js';
import type { TrustMaterial } from './verify-outcome.js';

const FORMAT = 'tongban-trust-snapshot/1';
const RACY_MS = 2000n;

/** When each CA's CRL in the trust material needs re-issuing (pki_crls.next_update). */
export interface CrlDue {
  readonly ca: string;
  readonly nextUpdate: string;
}

interface Body {
  format: string;
  database: string;
  files: (string | null)[];
  due: CrlDue[];
  trustAnchors: string[];
  intermediates: string[];
  crls: string[];
}

export const trustSnapshotFile = (dataDir: string) => join(cacheDir(dataDir), 'verify-trust.json');

const databaseFiles = (dbFile: string) => [dbFile, `${dbFile}-wal`];
const stat = (file: string) => statSync(file, { bigint: true, throwIfNoEntry: false });
const identity = (s: BigIntStats | undefined) => (s ? [s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join(':') : null);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The snapshot's trust, or why it cannot be used. */
export function loadTrustSnapshot(
  dataDir: string,
  dbFile: string,
  now: Date,
): { trust: TrustMaterial } | { reason: string } {
  let text: string;
  let fd: number;
  try {
    fd = openSync(trustSnapshotFile(dataDir), 'r');
  } catch {
    return { reason: 'no snapshot' };
  }
  try {
    const own = fstatSync(fd);
    const db = statSync(dbFile);
    // Whoever else could write it could add a root of their own.
    if (!own.isFile() || own.uid !== db.uid || (own.mode & 0o022) !== 0)
      return { reason: 'the snapshot is not an owner-only file of the database owner' };
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const cut = text.indexOf('\n');
  const body = text.slice(cut + 1);
  if (cut !== 64 || text.slice(0, cut) !== sha256(body)) return { reason: 'the snapshot is damaged' };
  try {
    const b = JSON.parse(body) as Body;
    if (b.format !== FORMAT) return { reason: 'the snapshot is of another format' };
    if (b.database !== dbFile) return { reason: 'the snapshot was written for another database' };
    const files = databaseFiles(dbFile).map((f) => identity(stat(f)));
    if (files.join('|') !== b.files.join('|')) return { reason: 'the database changed since the snapshot' };
    const stale = b.due.find((d) => !(new Date(d.nextUpdate) > now));
    if (stale) return { reason: `the CRL of ${stale.ca} is past its next update` };
    const der = (list: string[]) => list.map((s) => new Uint8Array(Buffer.from(s, 'base64')));
    return { trust: { trustAnchors: der(b.trustAnchors), intermediates: der(b.intermediates), crls: der(b.crls) } };
  } catch {
    // Not JSON, or not the shape this format writes.
    return { reason: 'the snapshot is damaged' };
  }
}

/**
 * Writes the snapshot of trust just read from the database (read from `readStartedAt` on, the
 * database closed again). Returns 'written' or why not; a failure to write only costs speed.
 */
export function saveTrustSnapshot(
  dataDir: string,
  dbFile: string,
  trust: TrustMaterial,
  due: readonly CrlDue[],
  readStartedAt: number,
): string {
  const stats = databaseFiles(dbFile).map(stat);
  const settled = (BigInt(readStartedAt) - RACY_MS) * 1_000_000n;
  if (!stats[0] || stats.some((s) => s && (s.ctimeNs >= settled || s.mtimeNs >= settled)))
    return `not written: the database changed less than ${RACY_MS / 1000n} s before it was read`;
  const b64 = (list: Uint8Array[]) => list.map((d) => Buffer.from(d).toString('base64'));
  const body: Body = {
    format: FORMAT,
    database: dbFile,
    files: stats.map(identity),
    due: [...due],
    trustAnchors: b64(trust.trustAnchors),
    intermediates: b64(trust.intermediates),
    crls: b64(trust.crls),
  };
  const json = JSON.stringify(body);
  const file = trustSnapshotFile(dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(cacheDir(dataDir), { recursive: true, mode: 0o700 });
    writeFileSync(temp, `${sha256(json)}\n${json}`, { mode: 0o600 });
    renameSync(temp, file);
    return 'written';
  } catch {
    rmSync(temp, { force: true });
    return 'not written: the cache folder is not writable';
  }
}
