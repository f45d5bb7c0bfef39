import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, expect, test } from 'vitest';
import { DiskBlobStore as BlobStore } from './BlobStore.js';

const root = mkdtempSync(join(tmpdir(), 'tongban-blobs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('put bytes or a stream: named by SHA-256 under sha256/ab/cdef…, write-once, readable back', async () => {
  const store = new BlobStore(root, { maxBytes: 1_000_000 });
  const bytes = new TextEncoder().encode('身份核验确认书');
  const name = await store.put(bytes);
  expect(name).toBe(sha(bytes));
  expect(statSync(join(root, 'sha256', name.slice(0, 2), name.slice(2))).size).toBe(bytes.length);
  expect(await store.get(name)).toEqual(Buffer.from(bytes));
  expect(await store.has(name)).toBe(true);
  expect(await store.size(name)).toBe(bytes.length);

  const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(10_000, i));
  const streamed = await store.put(Readable.from(chunks));
  expect(streamed).toBe(sha(Buffer.concat(chunks)));
  const before = statSync(store.path(name)).mtimeMs;
  expect(await store.put(bytes)).toBe(name); // the same content again: nothing rewritten
  expect(statSync(store.path(name)).mtimeMs).toBe(before);
  expect(readdirSync(join(root, 'tmp'))).toEqual([]);
});

test('too large: refused with 413 and no partial file left; bad names are 400, unknown 404', async () => {
  const store = new BlobStore(root, { maxBytes: 1000 });
  await expect(store.put(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]))).rejects.toMatchObject({ status: 413 });
  expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  // A per-call limit replaces the store's (the server's own evidence packages).
  const own = await store.put(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { maxBytes: 2000 });
  expect(statSync(store.path(own)).size).toBe(1200);
  await expect(store.put(Buffer.alloc(2500), { maxBytes: 2000 })).rejects.toMatchObject({ status: 413 });
  await expect(store.get('../../etc/passwd')).rejects.toMatchObject({ status: 400 });
  await expect(store.get('0'.repeat(64))).rejects.toMatchObject({ status: 404 });
  expect(await store.has('nope')).toBe(false);
});
