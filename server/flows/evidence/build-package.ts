// Assembles an evidence package (DESIGN §6): the given files plus SHA256SUMS over every one of
// them and SHA256SUMS.p7s, a detached CMS signature over SHA256SUMS by the platform seal with a
// signature timestamp, so that `sha256sum -c` and `openssl cms -verify` alone can check it.
import type { Signer, TimeStamper } from '../../../certs/types.js';
import { formatSha256Sums, SUMS_FILE, SUMS_SIGNATURE_FILE } from './sha256sums.js';
import { MANIFEST_FILE } from './package-manifest.js';
import { writeZip } from './zip.js';

export type DetachedCmsSigner = (content: Uint8Array, signer: Signer, options: { timeStamper: TimeStamper }) => Promise<Uint8Array>;

export interface BuildPackageOptions {
  readonly seal: Signer;
  readonly timeStamper: TimeStamper;
  readonly createDetachedCms: DetachedCmsSigner;
  readonly mtime: Date;
}

export async function buildEvidencePackage(files: ReadonlyMap<string, Uint8Array>, options: BuildPackageOptions): Promise<Buffer> {
  for (const reserved of [SUMS_FILE, SUMS_SIGNATURE_FILE]) {
    if (files.has(reserved)) throw new Error(`${reserved} is written by the package builder`);
  }
  if (!files.has(MANIFEST_FILE)) throw new Error(`${MANIFEST_FILE} is missing`);
  const sums = Buffer.from(formatSha256Sums(files), 'utf8');
  const signature = await options.createDetachedCms(sums, options.seal, { timeStamper: options.timeStamper });
  const ordered = new Map<string, Uint8Array>([
    [MANIFEST_FILE, files.get(MANIFEST_FILE)!],
    [SUMS_FILE, sums],
    [SUMS_SIGNATURE_FILE, signature],
  ]);
  for (const path of [...files.keys()].sort()) if (!ordered.has(path)) ordered.set(path, files.get(path)!);
  return writeZip(ordered, options.mtime);
}
