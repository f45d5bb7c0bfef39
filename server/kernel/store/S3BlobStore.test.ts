// The S3 blob store against a real S3 server: the run's private Ceph radosgw (scripts/engines/s3.sh,
// shared by the test files of one run). Each test file works in buckets of its own.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { s3Settings, sharedEngine, type EngineInstance } from '../../test-support/engines.js';
import { S3BlobStore, s3Client } from './S3BlobStore.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const keyOf = (name: string) => `sha256/${name.slice(0, 2)}/${name.slice(2)}`;
const bucket = `blobs-${randomBytes(4).toString('hex')}`;
let s3: EngineInstance;
let store: S3BlobStore;
let raw: S3Client;

beforeAll(async () => {
  s3 = await sharedEngine('s3');
  console.log(
    `S3 server: ${s3.state.SERVER} at ${s3.url}; its start-up took ${s3.state.STARTUP_MS} ms,` +
      ` this file waited ${s3.waitedMs} ms for it`,
  );
  store = await S3BlobStore.open(s3Settings(s3, bucket), { maxBytes: 64 * 1024 * 1024, createBucket: true });
  raw = s3Client(s3Settings(s3, bucket));
}, 600_000);
afterAll(() => {
  store?.close();
  raw?.destroy();
});

test('put bytes or a stream, then has / size / get / stream / destroy; the same content is stored once', async () => {
  const bytes = new TextEncoder().encode('身份核验确认书');
  const name = await store.put(bytes);
  expect(name).toBe(sha(bytes));
  expect(await store.has(name)).toBe(true);
  expect(await store.size(name)).toBe(bytes.length);
  expect(await store.get(name)).toEqual(Buffer.from(bytes));
  const head = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(name) }));
  expect(head.ContentLength).toBe(bytes.length);

  const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(10_000, i));
  const streamed = await store.put(Readable.from(chunks));
  expect(streamed).toBe(sha(Buffer.concat(chunks)));
  const back: Buffer[] = [];
  for await (const c of store.stream(streamed)) back.push(c as Buffer);
  expect(Buffer.concat(back)).toEqual(Buffer.concat(chunks));
  // Written once: the same bytes again add no version.
  expect(await store.put(Readable.from(chunks))).toBe(streamed);
  const versions = await raw.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: keyOf(streamed) }));
  expect(versions.Versions).toHaveLength(1);
  // No temporary upload is left behind.
  expect((await raw.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'tmp/' }))).KeyCount).toBe(0);

  expect(await store.destroy(name)).toBe(true);
  expect(await store.has(name)).toBe(false);
  expect(await store.destroy(name)).toBe(false);
  // Every version went, not just a delete marker on top of it.
  const left = await raw.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: keyOf(name) }));
  expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])]).toEqual([]);
});

test('a 20 MB stream goes up in parts, never whole in memory, and reads back intact', async () => {
  const part = randomBytes(1024 * 1024);
  const total = 20;
  const expected = createHash('sha256');
  for (let i = 0; i < total; i++) expected.update(part);
  async function* body() {
    for (let i = 0; i < total; i++) yield part;
  }
  const t0 = Date.now();
  const name = await store.put(body());
  const putMs = Date.now() - t0;
  expect(name).toBe(expected.digest('hex'));
  expect(await store.size(name)).toBe(total * part.length);
  // A multipart object's ETag is the MD5 of its parts' MD5s with the part count: 20 MB in 8 MB parts = 3.
  const head = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(name) }));
  expect(head.ETag).toMatch(/-3"$/);
  const hash = createHash('sha256');
  let read = 0;
  for await (const c of store.stream(name)) {
    hash.update(c as Buffer);
    read += (c as Buffer).length;
  }
  expect(read).toBe(total * part.length);
  expect(hash.digest('hex')).toBe(name);
  console.log(`S3 multipart: 20 MiB put in ${putMs} ms (ETag ${head.ETag})`);
});

test('refusals: too large 413 (the upload aborted, nothing left), bad names 400, unknown 404', async () => {
  await expect(
    store.put(Readable.from([randomBytes(600), randomBytes(600)]), { maxBytes: 1000 }),
  ).rejects.toMatchObject({ status: 413, code: 'payload_too_large' });
  await expect(store.put(randomBytes(1200), { maxBytes: 1000 })).rejects.toMatchObject({ status: 413 });
  expect((await raw.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'tmp/' }))).KeyCount).toBe(0);
  await expect(store.get('../../etc/passwd')).rejects.toMatchObject({ status: 400, code: 'bad_blob_id' });
  await expect(store.destroy('nope')).rejects.toMatchObject({ status: 400, code: 'bad_blob_id' });
  await expect(store.get('0'.repeat(64))).rejects.toMatchObject({ status: 404, code: 'not_found' });
  await expect(store.size('0'.repeat(64))).rejects.toMatchObject({ status: 404, code: 'not_found' });
  expect(await store.has('nope')).toBe(false);
  const missing = store.stream('1'.repeat(64));
  await expect(
    (async () => {
      for await (const _ of missing) void _;
    })(),
  ).rejects.toMatchObject({ status: 404 });
});

test('an object changed through the S3 API is refused on read (get and stream), by its SHA-256', async () => {
  const bytes = randomBytes(4096);
  const name = await store.put(bytes);
  const forged = Buffer.from(bytes);
  forged[100] = forged[100]! ^ 1;
  await raw.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(name), Body: forged }));
  await expect(store.get(name)).rejects.toMatchObject({ status: 500, code: 'blob_corrupt' });
  await expect(
    (async () => {
      for await (const _ of store.stream(name)) void _;
    })(),
  ).rejects.toMatchObject({ code: 'blob_corrupt' });
});

describe('Object Lock (WORM, compliance mode)', () => {
  test('detected on the bucket; a retained version cannot be deleted, its retention not shortened', async () => {
    expect(store.objectLock).toBe(true);
    const name = await store.put(randomBytes(2048));
    const until = new Date(Date.now() + 3600_000);
    expect(await store.retain(name, until)).toBe(true);
    expect((await store.retention(name))?.toISOString()).toBe(until.toISOString());
    // The store refuses, and so does S3 itself when asked directly for that version.
    await expect(store.destroy(name)).rejects.toMatchObject({ status: 409, code: 'blob_locked' });
    const versions = await raw.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: keyOf(name) }));
    const version = versions.Versions!.find((v) => v.Key === keyOf(name))!.VersionId;
    const direct = await raw
      .send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(name), VersionId: version }))
      .then(() => 'deleted')
      .catch(
        (err: { name: string; $metadata: { httpStatusCode: number } }) => `${err.$metadata.httpStatusCode} ${err.name}`,
      );
    expect(direct).toBe('403 AccessDenied');
    expect(await store.get(name)).toHaveLength(2048);
    // An earlier date keeps the later one (compliance retention only grows).
    expect(await store.retain(name, new Date(Date.now() + 60_000))).toBe(true);
    expect((await store.retention(name))?.toISOString()).toBe(until.toISOString());
    // Locked at upload, for a stream too.
    const streamed = await store.put(Readable.from([randomBytes(5000)]), { retainUntil: until });
    expect((await store.retention(streamed))?.toISOString()).toBe(until.toISOString());
    console.log(
      `S3 Object Lock: ${s3.state.SERVER} honours COMPLIANCE retention (delete of a locked version: ${direct})`,
    );
  });

  test('a bucket without Object Lock: retain reports false, destroy works', async () => {
    const plain = `plain-${randomBytes(4).toString('hex')}`;
    await raw.send(new CreateBucketCommand({ Bucket: plain }));
    const other = await S3BlobStore.open(s3Settings(s3, plain), { maxBytes: 1_000_000 });
    try {
      expect(other.objectLock).toBe(false);
      const name = await other.put(randomBytes(100));
      expect(await other.retain(name, new Date(Date.now() + 3600_000))).toBe(false);
      expect(await other.destroy(name)).toBe(true);
    } finally {
      other.close();
    }
  });
});
