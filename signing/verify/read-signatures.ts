// Finds the signatures of a PDF and the bytes each one covers, with the ByteRange sanity checks
// (starts at 0, covers everything but the /Contents hex string, stays inside the file).
import * as asn1js from 'asn1js';
import { toArrayBuffer } from '../cms/der.js';
import { formFields, isSignatureField } from '../pdf/form.js';
import { isName, PdfString, type PdfDict } from '../pdf/objects.js';
import type { PdfReader } from '../pdf/PdfReader.js';

export interface FoundSignature {
  readonly field: string;
  readonly sig: PdfDict;
  readonly subFilter: string;
  readonly isDocumentTimestamp: boolean;
  readonly byteRange: readonly number[] | undefined;
  /** The DER inside /Contents without the zero padding (empty when unreadable). */
  readonly der: Uint8Array;
  /** The decoded /Contents string as stored (with padding): the VRI key is its SHA-1. */
  readonly contents: Uint8Array;
  /** The two signed pieces of the file, when the ByteRange is sane. */
  readonly parts: readonly [Uint8Array, Uint8Array] | undefined;
  /** End of the revision the signature belongs to (= end of its signed range). */
  readonly revisionEnd: number;
  readonly problems: readonly string[];
}

/**
 * Length of the outermost DER/BER element (so the zero padding after it can be dropped). NSS
 * writes indefinite-length BER, whose end is found by parsing.
 */
export function derLength(b: Uint8Array): number {
  if (b.length < 2) return 0;
  const first = b[1]!;
  if (first < 0x80) return 2 + first;
  if (first === 0x80) {
    const parsed = asn1js.fromBER(toArrayBuffer(b));
    return parsed.offset > 0 ? parsed.offset : 0;
  }
  const n = first & 0x7f;
  if (n === 0 || n > 4 || b.length < 2 + n) return 0;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
  return 2 + n + len;
}

function checkByteRange(bytes: Uint8Array, br: readonly number[]): string | undefined {
  const [a, b, c, d] = br as [number, number, number, number];
  if (a !== 0) return 'the ByteRange does not start at 0';
  if (!(b > 0 && c > b && d >= 0 && c + d <= bytes.length)) return 'the ByteRange lies outside the file';
  if (bytes[b] !== 0x3c || bytes[c - 1] !== 0x3e) return 'the ByteRange gap is not exactly the /Contents string';
  for (let i = b + 1; i < c - 1; i++) {
    const ch = bytes[i]!;
    const hex = (ch >= 0x30 && ch <= 0x39) || (ch >= 0x41 && ch <= 0x46) || (ch >= 0x61 && ch <= 0x66);
    if (!hex) return 'the ByteRange gap contains more than the /Contents hex string';
  }
  return undefined;
}

export function readSignatures(reader: PdfReader): FoundSignature[] {
  const bytes = reader.bytes;
  const out: FoundSignature[] = [];
  for (const f of formFields(reader).filter(isSignatureField)) {
    const sig = reader.dict(f.dict.get('V'));
    if (!sig) continue;
    const problems: string[] = [];
    const subFilterValue = sig.get('SubFilter');
    const subFilter = isName(subFilterValue) ? subFilterValue.name : '';
    const brValue = reader.resolve(sig.get('ByteRange'));
    const byteRange =
      Array.isArray(brValue) &&
      brValue.length === 4 &&
      brValue.every((n) => typeof n === 'number' && Number.isInteger(n))
        ? (brValue as number[])
        : undefined;
    let parts: [Uint8Array, Uint8Array] | undefined;
    let contents: Uint8Array = new Uint8Array();
    if (!byteRange) problems.push('the signature has no usable ByteRange');
    else {
      const problem = checkByteRange(bytes, byteRange);
      if (problem) problems.push(problem);
      else {
        const [, b, c, d] = byteRange as [number, number, number, number];
        parts = [bytes.subarray(0, b), bytes.subarray(c, c + d)];
        contents = Buffer.from(Buffer.from(bytes.subarray(b + 1, c - 1)).toString('latin1'), 'hex');
      }
    }
    const stored = sig.get('Contents');
    if (!contents.length && stored instanceof PdfString) contents = stored.bytes;
    const der = contents.subarray(0, Math.min(contents.length, derLength(contents)));
    if (!der.length) problems.push('the signature has no /Contents');
    out.push({
      field: f.name,
      sig,
      subFilter,
      isDocumentTimestamp: isName(sig.get('Type'), 'DocTimeStamp') || subFilter === 'ETSI.RFC3161',
      byteRange,
      der,
      contents,
      parts,
      revisionEnd: byteRange ? byteRange[2]! + byteRange[3]! : bytes.length,
      problems,
    });
  }
  return out.sort((x, y) => x.revisionEnd - y.revisionEnd);
}
