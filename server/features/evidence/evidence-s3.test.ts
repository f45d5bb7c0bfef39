// A whole flow with the blobs in S3 (the run's private Ceph radosgw): a 远程云签约 ceremony signed
// and archived through the HTTP API, its evidence package exported by the server (job + download)
// and by `tongban evidence export` with TONGBAN_S3_* set, both verified — the package offline with
// `tongban evidence verify`. The signed PDF lives in the bucket, not the data directory, under
// Object Lock until the record's end of retention; rewritten through the S3 API it is refused.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fromPem } from '../../../certs/encoding.js';
import { S3BlobStore, s3Client, type S3Settings } from '../../kernel/store/S3BlobStore.js';
import { archivedCeremony, type ArchivedCeremony } from '../../test-support/archived-ceremony.js';
import { s3Env, s3Settings, sharedEngine } from '../../test-support/engines.js';
import { exportedEvidence } from '../../test-support/evidence-job.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import { TestServer } from '../../test-support/TestServer.js';
import { evidenceChecks, verifyEvidencePackage } from './index.js';

const keyOf = (name: string) => `sha256/${name.slice(0, 2)}/${name.slice(2)}`;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let settings: S3Settings;
let server: TestServer;
let raw: S3Client;
let record: ArchivedCeremony;
let auditor: HttpClient;
let pdfSha: string;
const work = mkdtempSync(join(tmpdir(), 'tongban-s3-flow-'));

beforeAll(async () => {
  const s3 = await sharedEngine('s3');
  console.log(
    `S3 server: ${s3.state.SERVER} at ${s3.url} (start-up ${s3.state.STARTUP_MS} ms, waited ${s3.waitedMs} ms)`,
  );
  settings = s3Settings(s3, `flow-${randomBytes(4).toString('hex')}`);
  raw = s3Client(settings);
  server = await TestServer.start({ seed: true, record: true, s3: settings });
  record = await archivedCeremony(server);
  auditor = await server.login('auditor');
  const pdf = await auditor.get(`/api/documents/${record.documentId}`);
  expect(pdf.status).toBe(200);
  pdfSha = sha(pdf.body);
}, 600_000);
afterAll(async () => {
  await server?.stop();
  raw?.destroy();
  rmSync(work, { recursive: true, force: true });
});

test('the signed agreement is in the bucket, not the data directory, locked until the end of retention', async () => {
  expect(server.app.services.blobs.kind).toBe('s3');
  const head = await raw.send(new HeadObjectCommand({ Bucket: settings.bucket, Key: keyOf(pdfSha) }));
  expect(head.ContentLength).toBeGreaterThan(10_000);
  expect(existsSync(join(server.dataDir, 'blobs', 'sha256'))).toBe(false);
  const detail = await auditor.get(`/api/records/${record.recordId}`);
  const { retainUntil } = detail.json<{ record: { retainUntil: string } }>().record;
  const store = server.app.services.blobs as S3BlobStore;
  expect(store.objectLock).toBe(true);
  expect((await store.retention(pdfSha))?.toISOString()).toBe(new Date(retainUntil).toISOString());
  await expect(store.destroy(pdfSha)).rejects.toMatchObject({ status: 409, code: 'blob_locked' });
});

test('evidence package: built by the server into S3, downloaded and verified; exported by the CLI and verified offline', async () => {
  const built = await exportedEvidence(auditor, record.recordId);
  expect([built.started, built.status]).toEqual([202, 'done']);
  const head = await raw.send(new HeadObjectCommand({ Bucket: settings.bucket, Key: keyOf(sha(built.zip)) }));
  expect(head.ContentLength).toBe(built.zip.length);
  const checked = await verifyEvidencePackage(built.zip, fromPem(server.rootPem), evidenceChecks);
  expect(checked.valid, JSON.stringify(checked.problems)).toBe(true);

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/tongban.cjs', ...args], {
      encoding: 'utf8',
      env: { ...process.env, TONGBAN_DATA: '', ...server.cliEnv, ...s3Env(settings) },
    });
  const zipPath = join(work, 'evidence.zip');
  const exported = cli('evidence', 'export', record.recordId, '--out', zipPath, '--data', server.dataDir);
  expect(exported.status, exported.stderr).toBe(0);
  writeFileSync(join(work, 'root.pem'), server.rootPem);
  const verified = cli('evidence', 'verify', zipPath, '--trust', join(work, 'root.pem'));
  expect(verified.status, verified.stdout + verified.stderr).toBe(0);
  expect(verified.stdout.trim().split('\n').at(-1)).toBe('VALID');
  // Without the bucket the data directory alone has no documents to put in the package.
  const withoutS3 = spawnSync(
    process.execPath,
    ['bin/tongban.cjs', 'evidence', 'export', record.recordId, '--out', join(work, 'no.zip'), '--data', server.dataDir],
    { encoding: 'utf8', env: { ...process.env, TONGBAN_DATA: '', ...server.cliEnv } },
  );
  expect(withoutS3.status).not.toBe(0);
  expect(existsSync(join(work, 'no.zip'))).toBe(false);
});

test('a data directory without the recording: `tongban record verify` and `evidence export` bring it back from the bucket', async () => {
  const { recording } = server.app.services;
  const { sessionId } = record;
  // The fixture's segments are stored without the recorder, which copies each as it closes: copied
  // here as it would have (the manifest and its seal went up when the recording was sealed).
  const archive = recording.archive!;
  const dir = (await recording.directory(sessionId))!;
  for (const segment of await recording.store.segments(sessionId))
    await archive.enqueue(sessionId, dir, segment.file, segment.sha256);
  const stored = await archive.files(sessionId);
  expect(stored.map((f) => f.name)).toEqual(expect.arrayContaining(['manifest.json', 'manifest.json.p7s']));
  expect(stored).toHaveLength(4);
  const tongban = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, ['bin/tongban.cjs', ...args], {
      encoding: 'utf8',
      env: { ...process.env, TONGBAN_DATA: '', ...server.cliEnv, ...env },
    });
  const verify = (env: Record<string, string>) =>
    tongban(['record', 'verify', sessionId, '--data', server.dataDir], env);

  // Another node recorded it (or this copy is lost): without the bucket the files are missing…
  rmSync(dir, { recursive: true, force: true });
  const alone = verify({});
  expect(alone.status, alone.stdout + alone.stderr).toBe(1);
  expect(alone.stdout).toContain('NOT VALID');
  // …with it they are brought back, each checked against its SHA-256, and the recording verifies.
  const restored = verify(s3Env(settings));
  expect(restored.status, restored.stdout + restored.stderr).toBe(0);
  expect(restored.stdout).toMatch(/seal: valid[\s\S]*\nVALID\n$/);
  for (const f of stored) expect(existsSync(join(dir, f.name)), f.name).toBe(true);

  rmSync(dir, { recursive: true, force: true });
  const zipPath = join(work, 'restored.zip');
  const exported = tongban(
    ['evidence', 'export', record.recordId, '--out', zipPath, '--data', server.dataDir],
    s3Env(settings),
  );
  expect(exported.status, exported.stderr).toBe(0);
  const checked = await verifyEvidencePackage(readFileSync(zipPath), fromPem(server.rootPem), evidenceChecks);
  expect(checked.valid, JSON.stringify(checked.problems)).toBe(true);
  for (const f of stored) expect(existsSync(join(dir, f.name)), f.name).toBe(true);

  // An object rewritten in the bucket is never taken: the verification names it.
  const victim = stored.find((f) => f.name.endsWith('.webm'))!;
  await raw.send(new PutObjectCommand({ Bucket: settings.bucket, Key: keyOf(victim.sha256), Body: randomBytes(64) }));
  rmSync(dir, { recursive: true, force: true });
  const tampered = verify(s3Env(settings));
  expect(tampered.status).toBe(1);
  expect(tampered.stdout).toContain(`problem: object storage: ${victim.name}: `);
  console.log(
    `record verify from the bucket: ${stored.length} objects; tampered: ${tampered.stdout.trim().split('\n').at(-2)}`,
  );
});

test('the signed PDF rewritten through the S3 API: GET /api/documents/:id refuses it, 500 blob_corrupt', async () => {
  const original = await auditor.get(`/api/documents/${record.documentId}`);
  const forged = Buffer.from(original.body);
  forged[forged.length - 20] = forged[forged.length - 20]! ^ 1;
  // Object Lock keeps the signed version; writing the key adds a newer version on top of it.
  await raw.send(new PutObjectCommand({ Bucket: settings.bucket, Key: keyOf(pdfSha), Body: forged }));
  const refused = await auditor.get(`/api/documents/${record.documentId}`);
  expect(refused.status).toBe(500);
  expect(refused.json<{ error: { code: string } }>().error.code).toBe('blob_corrupt');
});
