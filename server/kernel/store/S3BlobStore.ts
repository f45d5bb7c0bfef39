// The blob store on an S3 bucket (cluster mode: every API node sees the same blobs). Objects are
// named by content, `sha256/ab/cdef…` as on disk, and checked against that name on every read: the
// bucket lies outside the server, so what comes back is not trusted to be what went in.
// Streams are uploaded in parts (lib-storage, 8 MB parts, two in flight) to a temporary key while
// they are hashed — their name is known only at the end — then copied server-side to their name
// and the temporary version deleted; bytes already in memory go straight to their name.
// Object Lock (WORM): when the bucket was created with it, `retain` puts a COMPLIANCE retention on
// the object's version; a locked version cannot be deleted until the date passes (writing its key
// again only adds a newer version, which the SHA-256 check on read refuses).
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable, Transform } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { AppError, ConflictError, NotFoundError, PayloadTooLargeError } from '../errors.js';
import { BlobCorruptError, checkBlobName, StorageFullError, type BlobContent, type BlobStore } from './BlobStore.js';

export interface S3Settings {
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
}

/** Multipart part size: S3's minimum is 5 MiB; two parts in flight bound the memory a stream takes. */
const PART_BYTES = 8 * 1024 * 1024;

export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #maxBytes: number;
  /** Whether the bucket has Object Lock enabled (detected when the store opens). */
  readonly objectLock: boolean;

  private constructor(s3: S3Client, bucket: string, maxBytes: number, objectLock: boolean) {
    this.#s3 = s3;
    this.#bucket = bucket;
    this.#maxBytes = maxBytes;
    this.objectLock = objectLock;
  }

  /**
   * Connects, creates the bucket (with Object Lock) when `createBucket` is set and it is missing,
   * and detects whether the bucket supports Object Lock.
   */
  static async open(settings: S3Settings, options: { maxBytes: number; createBucket?: boolean }): Promise<S3BlobStore> {
    const s3 = s3Client(settings);
    const Bucket = settings.bucket;
    try {
      await s3.send(new HeadBucketCommand({ Bucket }));
    } catch (err) {
      if (!isNotFound(err) || !options.createBucket) throw err;
      await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
    }
    let objectLock = false;
    try {
      const lock = await s3.send(new GetObjectLockConfigurationCommand({ Bucket }));
      objectLock = lock.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled';
    } catch (err) {
      // No configuration: a bucket created without Object Lock (it cannot be turned on later in S3).
      if (!(err instanceof S3ServiceException) || err.$metadata.httpStatusCode !== 404) throw err;
    }
    return new S3BlobStore(s3, Bucket, options.maxBytes, objectLock);
  }

  async put(content: BlobContent, options: { maxBytes?: number; retainUntil?: Date } = {}): Promise<string> {
    const maxBytes = options.maxBytes ?? this.#maxBytes;
    try {
      const sha256 =
        content instanceof Uint8Array
          ? await this.#putBytes(content, maxBytes)
          : await this.#putStream(content, maxBytes);
      // A request of its own: radosgw 16.2 ignores the Object Lock headers of a CopyObject.
      if (options.retainUntil) await this.retain(sha256, options.retainUntil);
      return sha256;
    } catch (err) {
      throw asStorageError(err);
    }
  }

  async #putBytes(bytes: Uint8Array, maxBytes: number): Promise<string> {
    if (bytes.byteLength > maxBytes) throw new PayloadTooLargeError(`blob exceeds ${maxBytes} bytes`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (await this.has(sha256)) return sha256;
    await this.#s3.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: keyOf(sha256),
        Body: bytes,
        ContentLength: bytes.byteLength,
        // S3 checks the body against it.
        ContentMD5: createHash('md5').update(bytes).digest('base64'),
      }),
    );
    return sha256;
  }

  async #putStream(content: Readable | AsyncIterable<Uint8Array>, maxBytes: number) {
    const hash = createHash('sha256');
    let total = 0;
    let tooLarge = false;
    const counted = new Transform({
      transform(chunk: Buffer, _enc, done) {
        total += chunk.length;
        if (total > maxBytes) {
          tooLarge = true;
          done(new PayloadTooLargeError(`blob exceeds ${maxBytes} bytes`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const source = content instanceof Readable ? content : Readable.from(content);
    source.on('error', (err) => counted.destroy(err));
    source.pipe(counted);
    const tmpKey = `tmp/${randomBytes(12).toString('hex')}`;
    const upload = new Upload({
      client: this.#s3,
      params: { Bucket: this.#bucket, Key: tmpKey, Body: counted },
      partSize: PART_BYTES,
      queueSize: 2,
    });
    let tmpVersion: string | undefined;
    try {
      tmpVersion = (await upload.done()).VersionId;
    } catch (err) {
      if (tooLarge) throw new PayloadTooLargeError(`blob exceeds ${maxBytes} bytes`);
      throw err;
    }
    const sha256 = hash.digest('hex');
    try {
      if (!(await this.has(sha256)))
        await this.#s3.send(
          new CopyObjectCommand({
            Bucket: this.#bucket,
            Key: keyOf(sha256),
            CopySource: `${this.#bucket}/${tmpKey}${tmpVersion ? `?versionId=${tmpVersion}` : ''}`,
          }),
        );
    } finally {
      // Deleting the version itself: in a versioned bucket a plain delete only adds a marker.
      await this.#s3.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: tmpKey, VersionId: tmpVersion }));
    }
    return sha256;
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await this.#head(checkBlobName(sha256));
      return true;
    } catch (err) {
      if (err instanceof AppError || isNotFound(err)) return false;
      throw err;
    }
  }

  async get(sha256: string): Promise<Buffer> {
    const out = await this.#s3
      .send(new GetObjectCommand({ Bucket: this.#bucket, Key: keyOf(checkBlobName(sha256)) }))
      .catch((err: unknown) => rethrowNotFound(err, sha256));
    const bytes = Buffer.from(await out.Body!.transformToByteArray());
    if (createHash('sha256').update(bytes).digest('hex') !== sha256) throw new BlobCorruptError(sha256);
    return bytes;
  }

  async size(sha256: string): Promise<number> {
    const head = await this.#head(checkBlobName(sha256)).catch((err: unknown) => rethrowNotFound(err, sha256));
    return head.ContentLength ?? 0;
  }

  /** Deletes every version of the object; a version under Object Lock is refused (409 blob_locked). */
  async destroy(sha256: string): Promise<boolean> {
    const Key = keyOf(checkBlobName(sha256));
    const listed = await this.#s3.send(
      new ListObjectVersionsCommand({ Bucket: this.#bucket, Prefix: Key, MaxKeys: 1000 }),
    );
    const versions = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].filter((v) => v.Key === Key);
    if (versions.length === 0) return false;
    for (const v of versions) {
      try {
        await this.#s3.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key, VersionId: v.VersionId }));
      } catch (err) {
        if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 403)
          throw new ConflictError(`blob ${sha256} is under Object Lock`, 'blob_locked');
        throw err;
      }
    }
    return true;
  }

  /**
   * The object's bytes as they arrive; its SHA-256 is checked at the end and the stream fails with
   * blob_corrupt when it does not match (the reader has then had the bytes, but not a clean end).
   */
  stream(sha256: string): Readable {
    const out = new PassThrough();
    const Key = keyOf(checkBlobName(sha256));
    void (async () => {
      const got = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key }));
      const hash = createHash('sha256');
      for await (const chunk of got.Body as Readable) {
        hash.update(chunk as Buffer);
        if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
        if (out.destroyed) return;
      }
      if (hash.digest('hex') !== sha256) throw new BlobCorruptError(sha256);
      out.end();
    })().catch((err: unknown) => out.destroy(isNotFound(err) ? new NotFoundError(`blob ${sha256}`) : (err as Error)));
    return out;
  }

  /** COMPLIANCE retention until `until`; an existing later date is kept (S3 refuses to shorten one). */
  async retain(sha256: string, until: Date): Promise<boolean> {
    if (!this.objectLock) return false;
    const Key = keyOf(checkBlobName(sha256));
    const current = await this.retention(sha256);
    if (current && current.getTime() >= until.getTime()) return true;
    await this.#s3.send(
      new PutObjectRetentionCommand({
        Bucket: this.#bucket,
        Key,
        Retention: { Mode: 'COMPLIANCE', RetainUntilDate: until },
      }),
    );
    return true;
  }

  /** The retain-until date on the object's current version, if any. */
  async retention(sha256: string): Promise<Date | undefined> {
    try {
      const got = await this.#s3.send(
        new GetObjectRetentionCommand({ Bucket: this.#bucket, Key: keyOf(checkBlobName(sha256)) }),
      );
      return got.Retention?.RetainUntilDate;
    } catch (err) {
      if (err instanceof S3ServiceException && [404, 400].includes(err.$metadata.httpStatusCode ?? 0)) return undefined;
      throw err;
    }
  }

  #head(sha256: string) {
    return this.#s3.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: keyOf(sha256) }));
  }

  /** Stops the HTTP agent's keep-alive sockets (tests, shutdown). */
  close(): void {
    this.#s3.destroy();
  }
}

export function s3Client(settings: S3Settings): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    credentials: { accessKeyId: settings.accessKey, secretAccessKey: settings.secretKey },
    // Path-style (http://host/bucket/key): a loopback or private endpoint has no per-bucket DNS.
    forcePathStyle: true,
    // The SDK's default CRC32 trailers (aws-chunked bodies) are newer than many S3 servers
    // (radosgw 16.2 among them): send checksums only where the operation requires one.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

const keyOf = (sha256: string) => `sha256/${sha256.slice(0, 2)}/${sha256.slice(2)}`;

function isNotFound(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.$metadata.httpStatusCode === 404 || err.name === 'NoSuchKey' || err.name === 'NotFound')
  );
}

function rethrowNotFound(err: unknown, sha256: string): never {
  throw isNotFound(err) ? new NotFoundError(`blob ${sha256}`) : err;
}

function asStorageError(err: unknown): unknown {
  return err instanceof S3ServiceException && (err.name === 'QuotaExceeded' || err.$metadata.httpStatusCode === 507)
    ? new StorageFullError()
    : err;
}
