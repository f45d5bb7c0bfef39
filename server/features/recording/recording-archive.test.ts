// Recordings in object storage (issue 14 §3) with a real recorded session: headless participants in
// the live room, the real recorder and composite, the run's private Ceph radosgw as the bucket. Every
// finished file reaches the bucket while the session runs; once archived, the recording's objects are
// locked until the record's end of retention; a node without the files (the folder removed, as on a
// node that did not record it) verifies, plays and exports the recording from the bucket; an object
// rewritten through the S3 API is named by the verification, never taken.
// Needs the mediasoup worker: `source scripts/worker-env.sh`.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fromPem } from '../../../certs/encoding.js';
import { S3BlobStore, s3Client, type S3Settings } from '../../kernel/store/S3BlobStore.js';
import { s3Settings, sharedEngine } from '../../test-support/engines.js';
import { exportedEvidence } from '../../test-support/evidence-job.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import { closeLiveRoom, stopSyntheticMedia } from '../../test-support/live-room.js';
import { recordedRecord, type RecordedRecord } from '../../test-support/recorded-record.js';
import { TestServer } from '../../test-support/TestServer.js';
import { evidenceChecks, verifyEvidencePackage } from '../evidence/index.js';
import { manifestName, sealName } from './manifest.js';

const keyOf = (name: string) => `sha256/${name.slice(0, 2)}/${name.slice(2)}`;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let settings: S3Settings;
let raw: S3Client;
let server: TestServer;
let auditor: HttpClient;
let run: RecordedRecord;

beforeAll(async () => {
  const s3 = await sharedEngine('s3');
  console.log(`S3 server: ${s3.state.SERVER} at ${s3.url} (waited ${s3.waitedMs} ms)`);
  settings = s3Settings(s3, `rec-${randomBytes(4).toString('hex')}`);
  raw = s3Client(settings);
  server = await TestServer.start({ seed: true, s3: settings, media: { segmentSeconds: 2 } });
  run = await recordedRecord(server, (u) => server.login(u), { name: '周九', idNumber: '522501199505051234' }, 3000);
  auditor = await server.login('auditor');
}, 600_000);

afterAll(async () => {
  await closeLiveRoom(run?.bots ?? []);
  stopSyntheticMedia();
  await server?.stop();
  raw?.destroy();
});

const recording = () => server.app.services.recording;

test('every chained segment, the manifest, its seal and the composite are in the bucket, locked until the end of retention', async () => {
  const archive = recording().archive!;
  expect(archive).toBeDefined();
  await archive.settled(run.sessionId);
  const stored = new Map((await archive.files(run.sessionId)).map((f) => [f.name, f]));
  const segments = await recording().store.segments(run.sessionId);
  expect(segments.length).toBeGreaterThan(4);
  for (const s of segments) expect(stored.get(s.file)?.sha256, s.file).toBe(s.sha256);
  for (const name of [manifestName, sealName, 'derived/composite.mp4', 'derived/composite-layout.json'])
    expect(stored.has(name), name).toBe(true);
  const progress = await archive.progress(run.sessionId);
  console.log(
    `recording archive: ${progress.files} files, ${(progress.bytes / 1e6).toFixed(2)} MB in the bucket` +
      ` (${segments.length} chained segments), ${progress.pending} pending`,
  );
  expect(progress.files).toBe(stored.size);
  const info = await auditor.get(`/api/sessions/${run.sessionId}/recording`);
  expect(info.json<{ storage: unknown }>().storage).toEqual(progress);

  for (const file of stored.values()) {
    const head = await raw.send(new HeadObjectCommand({ Bucket: settings.bucket, Key: keyOf(file.sha256) }));
    expect(head.ContentLength, file.name).toBe(file.bytes);
  }
  const detail = await auditor.get(`/api/records/${run.recordId}`);
  const retainUntil = new Date(detail.json<{ record: { retainUntil: string } }>().record.retainUntil);
  const blobs = server.app.services.blobs as S3BlobStore;
  expect(blobs.objectLock).toBe(true);
  // The chained evidence (segments, manifest, seal) is locked: the composite may still be rendering at archive time.
  for (const s of [...segments.slice(0, 2), stored.get(manifestName)!, stored.get(sealName)!])
    expect((await blobs.retention(s.sha256))?.toISOString(), 'retention').toBe(retainUntil.toISOString());
  await expect(blobs.destroy(segments[0]!.sha256)).rejects.toMatchObject({ status: 409, code: 'blob_locked' });
});

test('without the recording folder (another node), the recording verifies, plays and exports from the bucket', async () => {
  const dir = (await recording().directory(run.sessionId))!;
  rmSync(dir, { recursive: true, force: true });
  expect(existsSync(dir)).toBe(false);

  const verified = await auditor.get(`/api/sessions/${run.sessionId}/recording/verification`);
  expect(verified.status).toBe(200);
  const v = verified.json<{ valid: boolean; segmentCount: number; problems: string[]; seal: { state: string } }>();
  expect(v.problems).toEqual([]);
  expect(v.valid).toBe(true);
  expect(v.seal.state).toBe('valid');

  rmSync(dir, { recursive: true, force: true });
  const video = await auditor.get(`/api/sessions/${run.sessionId}/recording/composite.mp4`);
  expect(video.status).toBe(200);
  const composite = (await recording().archive!.files(run.sessionId)).find((f) => f.name === 'derived/composite.mp4')!;
  expect(sha(video.body)).toBe(composite.sha256);

  rmSync(dir, { recursive: true, force: true });
  const exported = await exportedEvidence(auditor, run.recordId);
  expect([exported.started, exported.status]).toEqual([202, 'done']);
  const checked = await verifyEvidencePackage(exported.zip, fromPem(server.rootPem), evidenceChecks);
  expect(checked.valid, JSON.stringify(checked.problems)).toBe(true);
});

test('a segment rewritten through the S3 API is named by the verification and never brought back', async () => {
  const segment = (await recording().store.segments(run.sessionId))[1]!;
  const dir = (await recording().directory(run.sessionId))!;
  const forged = randomBytes(segment.bytes);
  // Object Lock keeps the recorded version; writing the key adds a newer version on top of it.
  await raw.send(new PutObjectCommand({ Bucket: settings.bucket, Key: keyOf(segment.sha256), Body: forged }));
  rmSync(dir, { recursive: true, force: true });
  const verified = await auditor.get(`/api/sessions/${run.sessionId}/recording/verification`);
  expect(verified.status).toBe(200);
  const v = verified.json<{ valid: boolean; problems: string[]; firstBadSegment: { index: number } | null }>();
  console.log(`recording archive: tampered object → ${JSON.stringify(v.problems)}`);
  expect(v.valid).toBe(false);
  expect(v.problems.join('\n')).toContain(`object storage: ${segment.file}: blob ${segment.sha256} does not match`);
  expect(v.firstBadSegment?.index).toBe(segment.index);
  expect(existsSync(`${dir}/${segment.file}`)).toBe(false);
});
