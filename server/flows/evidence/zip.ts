// Zip in and out for evidence packages, in memory and bounded. Reading never trusts the archive:
// entry names are checked (no absolute paths, no `..`, no duplicates), sizes are capped, and an
// entry whose data fails its CRC is reported by name instead of failing the whole archive.
import yauzl from 'yauzl';
import yazl from 'yazl';

export interface ZipLimits {
  readonly maxEntries: number;
  readonly maxTotalBytes: number;
}

export const defaultZipLimits: ZipLimits = { maxEntries: 20_000, maxTotalBytes: 4 * 1024 ** 3 };

export class ZipFormatError extends Error {}

/** Files in the order given; `compress` off for already-compressed media. */
export async function writeZip(files: ReadonlyMap<string, Uint8Array>, mtime: Date): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [path, bytes] of files) {
    zip.addBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), path, {
      mtime,
      compress: !/\.(webm|mp4|mkv|ogg|png|jpe?g|zip)$/i.test(path),
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
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
