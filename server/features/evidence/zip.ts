// Zip in and out for evidence packages. Both stream: files on disk (recording segments) are read
// as the zip is written, and reading keeps only the entries asked for, hashing the rest on the
// way. Reading never trusts the archive: entry names are checked (no absolute paths, no `..`, no
// duplicates), sizes are capped, and an entry whose data fails its CRC is reported by name instead
// of failing the whole archive.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import yazl from 'yazl';

/** A file of a package: bytes in memory, or a file on disk read when the zip is written. */
export type ZipSource = Uint8Array | { readonly path: string };

export interface ZipLimits {
  readonly maxEntries: number;
  /** All entries together, uncompressed (hashing them takes time, not memory). */
  readonly maxTotalBytes: number;
  /** The entries kept in memory together. */
  readonly maxHeldBytes: number;
}

export const defaultZipLimits: ZipLimits = {
  maxEntries: 20_000,
  maxTotalBytes: 64 * 1024 ** 3,
  maxHeldBytes: 1024 ** 3,
};

export class ZipFormatError extends Error {}

/** The zip of `files` in the order given, produced as it is read; media is stored, not compressed. */
export function zipStream(files: ReadonlyMap<string, ZipSource>, mtime: Date): Readable {
  const zip = new yazl.ZipFile();
  for (const [name, source] of files) {
    const options = { mtime, compress: !/\.(webm|mp4|mkv|ogg|png|jpe?g|zip)$/i.test(name) };
    if (source instanceof Uint8Array)
      zip.addBuffer(Buffer.from(source.buffer, source.byteOffset, source.byteLength), name, options);
    else zip.addFile(source.path, name, options);
  }
  zip.end();
  return zip.outputStream as Readable;
}

export interface ReadZipResult {
  /** The entries `hold` asked to keep, whole. */
  readonly files: Map<string, Buffer>;
  /** The SHA-256 (hex) of every readable entry, computed as it was read. */
  readonly digests: Map<string, string>;
  /** Entries whose data could not be read (bad CRC, bad compression), by name. */
  readonly unreadable: Map<string, string>;
}

export interface ReadZipOptions {
  readonly limits?: ZipLimits;
  /** Which entries to keep in memory; the others are only hashed (default: all are kept). */
  readonly hold?: (name: string) => boolean;
}

export function isSafeEntryName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 512 &&
    !name.startsWith('/') &&
    !name.includes('\\') &&
    !name.includes('\0') &&
    name.split('/').every((part) => part !== '..' && part !== '.' && part !== '')
  );
}

/** Reads a zip from memory or from a file; entries not held are streamed through a hash only. */
export async function readZip(
  source: Buffer | { readonly path: string },
  options: ReadZipOptions = {},
): Promise<ReadZipResult> {
  const limits = options.limits ?? defaultZipLimits;
  const hold = options.hold ?? (() => true);
  let zip: yauzl.ZipFile;
  const yauzlOptions = { lazyEntries: true, validateEntrySizes: true, strictFileNames: true };
  try {
    zip = Buffer.isBuffer(source)
      ? await yauzl.fromBufferPromise(source, yauzlOptions)
      : await yauzl.openPromise(source.path, yauzlOptions);
  } catch (err) {
    throw new ZipFormatError(`not a readable zip archive: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new ZipFormatError(`too many entries (${zip.entryCount})`);
  }
  const files = new Map<string, Buffer>();
  const digests = new Map<string, string>();
  const unreadable = new Map<string, string>();
  let total = 0;
  let held = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (name.endsWith('/')) continue;
      if (!isSafeEntryName(name)) throw new ZipFormatError(`unsafe entry name ${JSON.stringify(name)}`);
      if (digests.has(name) || unreadable.has(name)) throw new ZipFormatError(`duplicate entry ${name}`);
      const keep = hold(name);
      total += entry.uncompressedSize;
      if (keep) held += entry.uncompressedSize;
      if (total > limits.maxTotalBytes || held > limits.maxHeldBytes) throw new ZipFormatError('archive too large');
      try {
        const stream = await zip.openReadStreamPromise(entry);
        const hash = createHash('sha256');
        const chunks: Buffer[] = [];
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          hash.update(chunk);
          if (keep) chunks.push(chunk);
        }
        digests.set(name, hash.digest('hex'));
        if (keep) files.set(name, Buffer.concat(chunks));
      } catch (err) {
        unreadable.set(name, err instanceof Error ? err.message : String(err));
      }
    }
  } catch (err) {
    if (err instanceof ZipFormatError) throw err;
    throw new ZipFormatError(`corrupt zip archive: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    zip.close();
  }
  return { files, digests, unreadable };
}
