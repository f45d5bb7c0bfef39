// Zip in and out for evidence packages. Writing streams: files on disk (recording segments) are
// read as the zip is written, never held in memory. Reading is in memory and bounded, and never
// trusts the archive: entry names are checked (no absolute paths, no `..`, no duplicates), sizes
// are capped, and an entry whose data fails its CRC is reported by name instead of failing the
// whole archive.
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import yazl from 'yazl';

/** A file of a package: bytes in memory, or a file on disk read when the zip is written. */
export type ZipSource = Uint8Array | { readonly path: string };

export interface ZipLimits {
  readonly maxEntries: number;
  readonly maxTotalBytes: number;
}

export const defaultZipLimits: ZipLimits = { maxEntries: 20_000, maxTotalBytes: 4 * 1024 ** 3 };

export class ZipFormatError extends Error {}

/** The zip of `files` in the order given, produced as it is read; media is stored, not compressed. */
export function zipStream(files: ReadonlyMap<string, ZipSource>, mtime: Date): Readable {
  const zip = new yazl.ZipFile();
  for (const [name, source] of files) {
    const options = { mtime, compress: !/\.(webm|mp4|mkv|ogg|png|jpe?g|zip)$/i.test(name) };
    if (source instanceof Uint8Array) zip.addBuffer(Buffer.from(source.buffer, source.byteOffset, source.byteLength), name, options);
    else zip.addFile(source.path, name, options);
  }
  zip.end();
  return zip.outputStream as Readable;
}

export interface ReadZipResult {
  readonly files: Map<string, Buffer>;
  /** Entries whose data could not be read (bad CRC, bad compression), by name. */
  readonly unreadable: Map<string, string>;
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

export async function readZip(bytes: Buffer, limits: ZipLimits = defaultZipLimits): Promise<ReadZipResult> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true });
  } catch (err) {
    throw new ZipFormatError(`not a readable zip archive: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (zip.entryCount > limits.maxEntries) throw new ZipFormatError(`too many entries (${zip.entryCount})`);
  const files = new Map<string, Buffer>();
  const unreadable = new Map<string, string>();
  let total = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (name.endsWith('/')) continue;
      if (!isSafeEntryName(name)) throw new ZipFormatError(`unsafe entry name ${JSON.stringify(name)}`);
      if (files.has(name) || unreadable.has(name)) throw new ZipFormatError(`duplicate entry ${name}`);
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) throw new ZipFormatError('archive too large');
      try {
        const stream = await zip.openReadStreamPromise(entry);
        const chunks: Buffer[] = [];
        for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
        files.set(name, Buffer.concat(chunks));
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
  return { files, unreadable };
}
