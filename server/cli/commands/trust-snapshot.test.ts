// `tongban verify`'s trust snapshot (trust-snapshot.ts) through the built CLI, on a real data
// directory and PKI: written once the database has settled, answered from while the database is
// unchanged, and never trusted past a change (a revocation and its CRL), a CRL past its next update,
// or a damaged, foreign or shared file. TONGBAN_DEBUG makes verify say where its trust came from.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../signing/test-support/tools.js';
import { databaseFile } from '../../kernel/store/paths.js';
import { SET_PIN, signedPdfSet, type SignedPdfSet } from '../../test-support/signed-pdf-set.js';
import { loadTrustSnapshot, saveTrustSnapshot, trustSnapshotFile } from './trust-snapshot.js';

const CLI = join(process.cwd(), 'bin', 'tongban.cjs');
let tmp: ReturnType<typeof tempDir>;
let set: SignedPdfSet;
let dbFile: string;
/** Signed B-B (no timestamp): checked against revocation as of now, so a later revocation shows. */
let bb: string;

function tongban(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TONGBAN_DEBUG: '1', TONGBAN_DATA: '', TONGBAN_PIN: SET_PIN },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const verify = (dataDir = set.dataDir) => tongban(['verify', bb, '--data', dataDir]);
/** Where verify's trust came from, as TONGBAN_DEBUG tells. */
const trustFrom = (r: { stderr: string }) => /^tongban: trust from (.*)$/m.exec(r.stderr)?.[1];

/** The snapshot, or the database for `why` with a snapshot written (by a slower machine, the run before wrote it). */
const written = (why: string) => new RegExp(`^(the snapshot|the database \\(${why}\\); snapshot written)$`);

/** Until the database files last changed over 2 s ago: only then is a snapshot written. */
async function settled(file = dbFile): Promise<void> {
  const times = [file, `${file}-wal`]
    .map((f) => statSync(f, { throwIfNoEntry: false }))
    .flatMap((s) => (s ? [s.ctimeMs, s.mtimeMs] : []));
  const wait = Math.max(...times) + 2100 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

beforeAll(async () => {
  tmp = tempDir('cli-trust-snapshot');
  set = await signedPdfSet({ dir: tmp.dir, count: 1, pages: 1 });
  dbFile = databaseFile(set.dataDir);
  bb = join(tmp.dir, 'b-b.pdf');
  const signed = tongban([
    'sign',
    '--in',
    set.source,
    '--out',
    bb,
    '--user',
    'clerk.cixi',
    '--level',
    'B-B',
    '--data',
    set.dataDir,
  ]);
  expect(signed.stderr).toBe('');
  expect(signed.status).toBe(0);
}, 120_000);

afterAll(() => tmp?.remove());

describe('tongban verify, trust snapshot', () => {
  it('is written once the database has settled, then answers instead of the database, the same', async () => {
    // The first verify issues the CRLs through the token: the database has just changed.
    const first = verify();
    expect(first.status).toBe(0);
    expect(trustFrom(first)).toMatch(/^the database \(no snapshot\); snapshot not written/);
    await settled();
    const fromDb = verify();
    expect(trustFrom(fromDb)).toBe('the database (no snapshot); snapshot written');
    expect(fromDb.stdout).toMatch(/^OK {2}Signature1: 张三 .*intact, trusted, not revoked, B-B,/m);
    const fromSnapshot = verify();
    expect(trustFrom(fromSnapshot)).toBe('the snapshot');
    expect(fromSnapshot.stdout).toBe(fromDb.stdout);
    expect(fromSnapshot.status).toBe(0);

    // Beyond the trace: a snapshot for the same, unchanged database that holds no root makes the
    // signature untrusted, so the answer is the snapshot's.
    const kept = readFileSync(trustSnapshotFile(set.dataDir));
    const none = { trustAnchors: [], intermediates: [], crls: [] };
    expect(saveTrustSnapshot(set.dataDir, dbFile, none, [], Date.now())).toBe('written');
    const rootless = verify();
    expect(trustFrom(rootless)).toBe('the snapshot');
    expect(rootless.stdout).toMatch(/NOT TRUSTED/);
    expect(rootless.status).toBe(1);
    writeFileSync(trustSnapshotFile(set.dataDir), kept);
    expect(verify()).toEqual(fromSnapshot);
  });

  it('ignores a damaged, shared or foreign snapshot: reads the database and writes it anew', async () => {
    const file = trustSnapshotFile(set.dataDir);
    const good = readFileSync(file);
    const damaged = Buffer.from(good);
    damaged[Math.floor(damaged.length / 2)]! ^= 0x01;
    for (const [bytes, why] of [
      [damaged, 'the snapshot is damaged'],
      [good.subarray(0, good.length - 9), 'the snapshot is damaged'],
      [Buffer.from('{}'), 'the snapshot is damaged'],
    ] as const) {
      writeFileSync(file, bytes);
      const r = verify();
      expect(trustFrom(r)).toBe(`the database (${why}); snapshot written`);
      expect(r.status).toBe(0);
      expect(trustFrom(verify())).toBe('the snapshot');
    }
    chmodSync(file, 0o664);
    expect(trustFrom(verify())).toBe(
      'the database (the snapshot is not an owner-only file of the database owner); snapshot written',
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // A copy of the data directory brings the original's snapshot along; the copy's database is
    // another file, so it reads its own.
    const copy = join(tmp.dir, 'data-copy');
    cpSync(set.dataDir, copy, { recursive: true });
    const r = verify(copy);
    expect(trustFrom(r)).toMatch(/^the database \(the snapshot was written for another database\); snapshot /);
    expect(r.status).toBe(0);
    await settled(databaseFile(copy));
    expect(trustFrom(verify(copy))).toMatch(written('the snapshot was written for another database'));
    expect(trustFrom(verify(copy))).toBe('the snapshot');
  });

  it('a CRL past its next update ends it', () => {
    expect(loadTrustSnapshot(set.dataDir, dbFile, new Date())).toHaveProperty('trust');
    const week = new Date(Date.now() + 8 * 86_400_000);
    expect(loadTrustSnapshot(set.dataDir, dbFile, week)).toEqual({
      reason: expect.stringMatching(/^the CRL of (root|cixi) is past its next update$/),
    });
  });

  it('after a revocation the next verify reads the database and reports the signature revoked', async () => {
    expect(trustFrom(verify())).toBe('the snapshot');
    const revoke = tongban([
      'pki',
      'revoke',
      '--user',
      'clerk.cixi',
      '--reason',
      'keyCompromise',
      '--data',
      set.dataDir,
    ]);
    expect(revoke.status).toBe(0);
    const revoked = verify();
    expect(trustFrom(revoked)).toMatch(/^the database \(the database changed since the snapshot\); snapshot /);
    expect(revoked.stdout).toMatch(/^BAD Signature1: 张三 .*REVOKED.*was revoked \(keyCompromise\)/m);
    expect(revoked.status).toBe(1);
    await settled();
    // Written by this run, or already by the one before when the revocation was over 2 s old by then.
    const again = verify();
    expect(trustFrom(again)).toMatch(written('the database changed since the snapshot'));
    expect(again.stdout).toBe(revoked.stdout);
    const fromSnapshot = verify();
    expect(trustFrom(fromSnapshot)).toBe('the snapshot');
    expect(fromSnapshot.stdout).toBe(revoked.stdout);
    expect(fromSnapshot.status).toBe(1);
  });
});
