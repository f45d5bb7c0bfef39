// Content-addressed, write-once blob stores behind one interface: the local-disk store (the default)
// and the S3 store (S3BlobStore.ts, cluster mode). The disk store: `<root>/sha256/ab/cdef…`. A blob is written to a temp
// file, fsynced, renamed into place and the directory fsynced, so a crash leaves either the whole
// blob or nothing. Existing blobs are never overwritten (same name = same bytes); they are removed
// only when the data they hold is destroyed (record deletion at the end of retention).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError, BadRequestError, NotFoundError, PayloadTooLargeError } from '../errors.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What a blob is made from: bytes, or a stream read once (large bodies are never held whole). */
export type BlobContent = Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface BlobStore {
  /** `disk` (a local folder) or `s3` (an S3 bucket). */
  readonly kind: 'disk' | 's3';
  /**
   * Stores bytes or a stream; returns the lower-case hex SHA-256 that names the blob. `maxBytes`
   * replaces the store's limit for content the server made itself (an evidence package);
   * `retainUntil` locks it at once where the store can (see retain).
   */
  put(content: BlobContent, options?: { maxBytes?: number; retainUntil?: Date }): Promise<string>;
  has(sha256: string): Promise<boolean>;
  /** The whole blob (the S3 store checks its SHA-256 against its name and refuses a changed one). */
  get(sha256: string): Promise<Buffer>;
  size(sha256: string): Promise<number>;
  /** Removes a blob for good; false when it was not there. */
  destroy(sha256: string): Promise<boolean>;
  /** A read stream for large blobs (recordings, evidence packages) sent over HTTP. */
  stream(sha256: string): Readable;
  /**
   * Makes the blob unchangeable and undeletable until `until` (S3 Object Lock in compliance mode:
   * nobody, not even the bucket's owner, can shorten it). False where the store cannot: local disk,
   * a bucket without Object Lock.
   */
  retain(sha256: string, until: Date): Promise<boolean>;
}

/** Throws on anything that is not a lower-case SHA-256 hex name (it becomes a path or an object key). */
export function checkBlobName(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new BadRequestError('not a SHA-256 blob name', 'bad_blob_id');
  return sha256;
}

/** The blob changed after it was stored: its bytes no longer hash to its name. */
export class BlobCorruptError extends AppError {
  constructor(sha256: string) {
    super('blob_corrupt', `blob ${sha256} does not match its SHA-256: it was changed in storage`, 500);
  }
}

export class DiskBlobStore implements BlobStore {
  readonly kind = 'disk';
  readonly #root: string;
  readonly #maxBytes: number;

  constructor(root: string, options: { maxBytes: number }) {
    this.#root = root;
    this.#maxBytes = options.maxBytes;
  }

  async put(content: BlobContent, options: { maxBytes?: number } = {}): Promise<string> {
    try {
      return await this.#put(content, options.maxBytes ?? this.#maxBytes);
    } catch (err) {
      throw asStorageError(err);
    }
  }

  async #put(content: BlobContent, maxBytes: number): Promise<string> {
    const tmpDir = join(this.#root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const hash = createHash('sha256');
    const file = await open(tmp, 'wx', 0o640);
    let total = 0;
    try {
      const chunks: AsyncIterable<Uint8Array> | Uint8Array[] = content instanceof Uint8Array ? [content] : content;
      for await (const chunk of chunks) {
        total += chunk.byteLength;
        if (total > maxBytes) throw new PayloadTooLargeError(`blob exceeds ${maxBytes} bytes`);
        hash.update(chunk);
        await writeAll(file, chunk);
      }
      await file.sync();
      // A short write on a full disk can go unreported until here: never name a blob that is not whole.
      if ((await file.stat()).size !== total) throw new StorageFullError();
    } catch (err) {
      await file.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await file.close();
    const sha256 = hash.digest('hex');
    const dir = join(this.#root, 'sha256', sha256.slice(0, 2));
    const final = join(dir, sha256.slice(2));
    if (await this.has(sha256)) {
      await rm(tmp, { force: true });
      return sha256;
    }
    try {
      await mkdir(dir, { recursive: true });
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await fsyncDir(dir);
    return sha256;
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.path(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async get(sha256: string): Promise<Buffer> {
    const file = this.path(sha256);
    try {
      return await readFile(file);
    } catch {
      throw new NotFoundError(`blob ${sha256}`);
    }
  }

  async size(sha256: string): Promise<number> {
    const file = this.path(sha256);
    try {
      return (await stat(file)).size;
    } catch {
      throw new NotFoundError(`blob ${sha256}`);
    }
  }

  /** Unlinked, directory fsynced. */
  async destroy(sha256: string): Promise<boolean> {
    const file = this.path(sha256);
    try {
      await unlink(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    await fsyncDir(dirname(file));
    return true;
  }

  stream(sha256: string): Readable {
    return createReadStream(this.path(sha256));
  }

  /** A local folder has no lock its owner cannot lift. */
  async retain(): Promise<boolean> {
    return false;
  }

  /** Where the blob lives; throws on anything that is not a SHA-256 hex name. */
  path(sha256: string): string {
    checkBlobName(sha256);
    return join(this.#root, 'sha256', sha256.slice(0, 2), sha256.slice(2));
  }
}

/** The disk under the blob store is full: a server-side condition the client can retry later. */
export class StorageFullError extends AppError {
  constructor() {
    super('storage_full', 'storage is full, contact the administrator', 507);
  }
}

function asStorageError(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? new StorageFullError() : err;
}

/** FileHandle.write may write less than asked (e.g. when the disk fills): keep going or fail. */
async function writeAll(file: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.byteLength - offset);
    if (bytesWritten <= 0) throw new StorageFullError();
    offset += bytesWritten;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
