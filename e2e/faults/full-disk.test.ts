// The blob store on a full disk: the data directory's blobs/ is an 8 MiB tmpfs this test mounts.
// Uploads fill it until one fails; then a filler file takes the last bytes and a signature (which
// writes a new PDF version) fails too. Each failure must be a clear JSON error, leave no temp file
// and no database row naming a blob that is missing or whose bytes do not hash to its name, and the
// server must keep serving; once space is freed the same signature succeeds.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../../bench/support/harness.js';
import { tempDir } from '../../bench/support/temp.js';
import type { HttpClient, TestResponse } from '../../server/test-support/HttpClient.js';
import { blobRoot, databaseFile } from '../../server/kernel/store/paths.js';
import { DEMO_PIN, agreementPdf, clientAs, uploadAgreement } from './support.js';

const dir = tempDir('fault-disk-');
const blobs = blobRoot(dir.path);
let h: Harness | undefined;
let mounted = false;

beforeAll(() => {
  mkdirSync(blobs, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', blobs]);
  mounted = true;
});

afterAll(async () => {
  await h?.stop();
  if (mounted) execFileSync('umount', [blobs]);
  dir.remove();
});

/** Blobs the database names that are missing, or whose bytes do not hash to their name (half-written). */
function badBlobs(): string[] {
  const db = new BetterSqlite3(databaseFile(dir.path), { readonly: true });
  try {
    const named = db
      .prepare(
        `SELECT original_sha256 AS s FROM documents UNION SELECT current_sha256 FROM documents
         UNION SELECT signed_sha256 FROM document_signers WHERE signed_sha256 IS NOT NULL UNION SELECT sha256 FROM snapshots`,
      )
      .all() as { s: string }[];
    const bad: string[] = [];
    for (const { s } of named) {
      const file = join(blobs, 'sha256', s.slice(0, 2), s.slice(2));
      if (!existsSync(file)) bad.push(`missing ${s}`);
      else if (createHash('sha256').update(readFileSync(file)).digest('hex') !== s)
        bad.push(`content does not match its name ${s} (${statSync(file).size} bytes)`);
    }
    return bad;
  } finally {
    db.close();
  }
}

const tempFiles = () => (existsSync(join(blobs, 'tmp')) ? readdirSync(join(blobs, 'tmp')) : []);

function expectCleanFailure(r: TestResponse, what: string): { code: string; message: string } {
  expect(r.status, `${what}: ${r.status} ${r.text}`).toBeGreaterThanOrEqual(400);
  const { error } = r.json<{ error: { code: string; message: string } }>();
  expect(error.code).toBeTruthy();
  process.stdout.write(`full disk, ${what}: HTTP ${r.status} ${JSON.stringify(error)}\n`);
  expect(tempFiles()).toEqual([]);
  expect(badBlobs()).toEqual([]);
  return error;
}

async function expectServing(c: HttpClient, ceremonyId: string): Promise<void> {
  expect((await c.get('/healthz')).status).toBe(200);
  expect((await c.get(`/api/ceremonies/${ceremonyId}`)).status).toBe(200);
}

describe('a full disk under the blob store', () => {
  it('fails uploads and signatures cleanly, leaves nothing half-written, keeps serving, recovers when space is freed', async () => {
    h = await Harness.start({ dataDir: dir.path, record: false });
    const official = await clientAs(h, 'official.ninghai');
    const small = await uploadAgreement(official, await agreementPdf());
    expect(small.status, small.text).toBe(201);
    const pending = small.json<{ id: string }>();

    // 3 MiB agreements until the disk is full (an 8 MiB tmpfs takes two).
    let failed: TestResponse | undefined;
    for (let i = 0; i < 5 && !failed; i++) {
      const r = await uploadAgreement(official, await agreementPdf(2, 3 * 2 ** 20));
      if (r.status !== 201) failed = r;
    }
    expect(failed, 'an upload failed once the disk was full').toBeDefined();
    // Accepted uploads are whole: a short write on a nearly full disk must not be stored under the full content's name.
    expect(badBlobs()).toEqual([]);
    const errors = [expectCleanFailure(failed!, 'agreement upload')];
    await expectServing(official, pending.id);

    // Someone else takes the last bytes; signing writes a new version and must fail the same way.
    const filler = join(blobs, 'filler');
    try {
      writeFileSync(filler, Buffer.alloc(8 * 2 ** 20));
    } catch {
      // ENOSPC once it has taken everything: that is the point.
    }
    const sign = await official.post(`/api/ceremonies/${pending.id}/sign`, { pin: DEMO_PIN });
    errors.push(expectCleanFailure(sign, 'signature'));
    const state = await official.get(`/api/ceremonies/${pending.id}`);
    expect(state.json<{ status: string }>().status).toBe('signing');
    await expectServing(official, pending.id);

    rmSync(filler, { force: true });
    const retry = await official.post(`/api/ceremonies/${pending.id}/sign`, { pin: DEMO_PIN });
    expect(retry.status, `${retry.text}\n${h.stderr}`).toBe(200);
    expect(badBlobs()).toEqual([]);

    // A clear error names the problem (507 Insufficient Storage), not a generic internal error.
    for (const e of errors) expect(`${e.code}: ${e.message}`).toMatch(/space|storage|disk|full/i);
  }, 110_000);
});
