// Assembles an evidence package (DESIGN §6): the given files plus SHA256SUMS over every one of
// them and SHA256SUMS.p7s, a detached CMS signature over SHA256SUMS by the platform seal with a
// signature timestamp, so that `sha256sum -c` and `openssl cms -verify` alone can check it.
// Files on disk (a recording can be gigabytes) are hashed and zipped as streams.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Signer, TimeStamper } from '../../../certs/types.js';
import { formatSha256Sums, sha256Hex, SUMS_FILE, SUMS_SIGNATURE_FILE } from './sha256sums.js';
import { MANIFEST_FILE } from './package-manifest.js';
import { zipStream, type ZipSource } from './zip.js';

export type DetachedCmsSigner = (
  content: Uint8Array,
  signer: Signer,
  options: { timeStamper: TimeStamper },
) => Promise<Uint8Array>;

export interface BuildPackageOptions {
  readonly seal: Signer;
  readonly timeStamper: TimeStamper;
  readonly createDetachedCms: DetachedCmsSigner;
  readonly mtime: Date;
  /** Fraction of the files' bytes hashed so far. */
  readonly onHashed?: (fraction: number) => void;
}

export interface EvidencePackage {
  /** Files in the package, SHA256SUMS and its signature included. */
  readonly fileCount: number;
  /** Bytes of all files before zip framing (what the zip stream carries, about). */
  readonly contentBytes: number;
  /** SHA-256 of SHA256SUMS: names the package's contents. */
  readonly sumsSha256: string;
  /** The zip, produced as it is read. Each call starts a new one. */
  zip(): Readable;
}

const sizeOf = async (source: ZipSource) =>
  source instanceof Uint8Array ? source.byteLength : (await stat(source.path)).size;

async function hashOf(source: ZipSource, hashed: (bytes: number) => void): Promise<string> {
  if (source instanceof Uint8Array) {
    hashed(source.byteLength);
    return sha256Hex(source);
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(source.path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    hashed(chunk.byteLength);
  }
  return hash.digest('hex');
}

export async function buildEvidencePackage(
  files: ReadonlyMap<string, ZipSource>,
  options: BuildPackageOptions,
): Promise<EvidencePackage> {
  for (const reserved of [SUMS_FILE, SUMS_SIGNATURE_FILE]) {
    if (files.has(reserved)) throw new Error(`${reserved} is written by the package builder`);
  }
  if (!files.has(MANIFEST_FILE)) throw new Error(`${MANIFEST_FILE} is missing`);
  let total = 0;
  for (const source of files.values()) total += await sizeOf(source);
  let done = 0;
  const hashes = new Map<string, string>();
  for (const [path, source] of files) {
    hashes.set(
      path,
      await hashOf(source, (bytes) => {
        done += bytes;
        options.onHashed?.(total ? done / total : 1);
      }),
    );
  }
  const sums = Buffer.from(formatSha256Sums(hashes), 'utf8');
  const signature = await options.createDetachedCms(sums, options.seal, { timeStamper: options.timeStamper });
  const ordered = new Map<string, ZipSource>([
    [MANIFEST_FILE, files.get(MANIFEST_FILE)!],
    [SUMS_FILE, sums],
    [SUMS_SIGNATURE_FILE, signature],
  ]);
  for (const path of [...files.keys()].sort()) if (!ordered.has(path)) ordered.set(path, files.get(path)!);
  return {
    fileCount: ordered.size,
    contentBytes: total + sums.byteLength + signature.byteLength,
    sumsSha256: sha256Hex(sums),
    zip: () => zipStream(ordered, options.mtime),
  };
}
