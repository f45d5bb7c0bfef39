// A strict DER checker for tests, written from X.690 §10–11 without any ASN.1 library, so it does
// not share the leniencies of the asn1js/pkijs code that produced the bytes: definite minimal
// lengths, primitive string types, canonical BOOLEAN and INTEGER, SET elements in ascending order,
// times in Z form, nothing after the value.

/** Universal types that DER requires to be primitive (BIT STRING, OCTET STRING, the string and time types). */
const PRIMITIVE_ONLY = new Set([1, 2, 3, 4, 5, 6, 10, 12, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);

interface Tlv {
  readonly tagBytes: Uint8Array;
  readonly tagClass: number;
  readonly constructed: boolean;
  readonly tagNumber: number;
  readonly content: Uint8Array;
  readonly end: number;
}

function readTlv(bytes: Uint8Array, at: number, path: string, problems: string[]): Tlv | undefined {
  const start = at;
  if (at >= bytes.length) return fail(problems, `${path}: truncated before the tag`);
  const first = bytes[at++]!;
  let tagNumber = first & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    let b: number;
    if (bytes[at] === 0x80) problems.push(`${path}: tag number with a leading zero group`);
    do {
      if (at >= bytes.length) return fail(problems, `${path}: truncated tag`);
      b = bytes[at++]!;
      tagNumber = tagNumber * 128 + (b & 0x7f);
    } while (b & 0x80);
    if (tagNumber < 0x1f) problems.push(`${path}: tag ${tagNumber} in the long form`);
  }
  const tagBytes = bytes.subarray(start, at);
  if (at >= bytes.length) return fail(problems, `${path}: truncated before the length`);
  const l0 = bytes[at++]!;
  let length: number;
  if (l0 < 0x80) length = l0;
  else if (l0 === 0x80) return fail(problems, `${path}: indefinite length (BER, not DER)`);
  else {
    const n = l0 & 0x7f;
    if (n > 4 || at + n > bytes.length) return fail(problems, `${path}: bad length of length`);
    if (bytes[at] === 0) problems.push(`${path}: length with a leading zero octet`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[at++]!;
    if (length < 0x80) problems.push(`${path}: length ${length} in the long form`);
  }
  if (at + length > bytes.length) return fail(problems, `${path}: content runs past the end`);
  return {
    tagBytes,
    tagClass: first >> 6,
    constructed: (first & 0x20) !== 0,
    tagNumber,
    content: bytes.subarray(at, at + length),
    end: at + length,
  };
}

function fail(problems: string[], message: string): undefined {
  problems.push(message);
  return undefined;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function checkValue(bytes: Uint8Array, at: number, path: string, problems: string[]): number | undefined {
  const tlv = readTlv(bytes, at, path, problems);
  if (!tlv) return undefined;
  const here = `${path}/${['u', 'a', 'c', 'p'][tlv.tagClass]}${tlv.tagNumber}`;
  const { content } = tlv;
  if (tlv.tagClass === 0) {
    if (tlv.constructed && PRIMITIVE_ONLY.has(tlv.tagNumber))
      problems.push(`${here}: constructed encoding of universal type ${tlv.tagNumber}`);
    if (!tlv.constructed && (tlv.tagNumber === 16 || tlv.tagNumber === 17))
      problems.push(`${here}: primitive SEQUENCE/SET`);
    if (tlv.tagNumber === 1 && !(content.length === 1 && (content[0] === 0 || content[0] === 0xff)))
      problems.push(`${here}: BOOLEAN not 00 or FF`);
    if ((tlv.tagNumber === 2 || tlv.tagNumber === 10) && content.length > 1) {
      if ((content[0] === 0 && content[1]! < 0x80) || (content[0] === 0xff && content[1]! >= 0x80))
        problems.push(`${here}: INTEGER not minimal`);
    }
    if ((tlv.tagNumber === 2 || tlv.tagNumber === 10) && content.length === 0) problems.push(`${here}: empty INTEGER`);
    if (tlv.tagNumber === 3 && (content.length === 0 || content[0]! > 7 || (content.length === 1 && content[0] !== 0)))
      problems.push(`${here}: bad BIT STRING unused bits`);
    if (tlv.tagNumber === 5 && content.length !== 0) problems.push(`${here}: NULL with content`);
    if ((tlv.tagNumber === 23 || tlv.tagNumber === 24) && content[content.length - 1] !== 0x5a)
      problems.push(`${here}: time not in Z form`);
  }
  if (tlv.constructed) {
    const children: Uint8Array[] = [];
    let p = 0;
    while (p < content.length) {
      const next = checkValue(content, p, `${here}[${children.length}]`, problems);
      if (next === undefined) return undefined;
      children.push(content.subarray(p, next));
      p = next;
    }
    // X.690 §11.6: a SET OF in ascending order of encodings (for a SET of distinct tags this is tag order).
    if (tlv.tagClass === 0 && tlv.tagNumber === 17) {
      for (let i = 1; i < children.length; i++)
        if (compareBytes(children[i - 1]!, children[i]!) > 0)
          problems.push(`${here}: SET elements out of DER order at ${i}`);
    }
  }
  return tlv.end;
}

/** Every way `der` departs from DER (an empty list for DER); exactly one value, nothing after it. */
export function derProblems(der: Uint8Array): string[] {
  const problems: string[] = [];
  const end = checkValue(der, 0, '', problems);
  if (end !== undefined && end !== der.length) problems.push(`${der.length - end} octet(s) after the value`);
  return problems;
}
