// SHA256SUMS in the format `sha256sum -c` reads: "<64 hex>  <path>\n" per file, sorted by path.
import { createHash } from 'node:crypto';

export const SUMS_FILE = 'SHA256SUMS';
export const SUMS_SIGNATURE_FILE = 'SHA256SUMS.p7s';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA256SUMS from each path's hex SHA-256. */
export function formatSha256Sums(hashes: ReadonlyMap<string, string>): string {
  return [...hashes.keys()]
    .sort()
    .map((path) => `${hashes.get(path)!}  ${path}\n`)
    .join('');
}

export class SumsFormatError extends Error {}

/** Parses SHA256SUMS; rejects anything sha256sum would not produce for our paths. */
export function parseSha256Sums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new SumsFormatError('SHA256SUMS must end with a newline');
  for (const [i, line] of lines.entries()) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new SumsFormatError(`SHA256SUMS line ${i + 1} is malformed`);
    if (sums.has(m[2]!)) throw new SumsFormatError(`SHA256SUMS names ${m[2]} twice`);
    sums.set(m[2]!, m[1]!);
  }
  return sums;
}
