// A minimal DER writer: tag-length-value concatenation. Building CMS this way keeps the
// certificates, names and tokens as their original bytes and avoids parsing them with pkijs
// (which cost ~60 ms per cold process).

export function tlv(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  const body = Buffer.concat(contents);
  const n = body.length;
  let len: number[];
  if (n < 0x80) len = [n];
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = [0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

export const sequence = (...items: readonly Uint8Array[]): Uint8Array => tlv(0x30, ...items);
export const set = (...items: readonly Uint8Array[]): Uint8Array => tlv(0x31, ...items);
/** The elements of a DER SET OF in their required order: ascending by encoding (X.690 §11.6). */
export const derSetOrder = (items: readonly Uint8Array[]): Uint8Array[] =>
  [...items].sort((a, b) => Buffer.compare(a, b));
export const octetString = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const integer = (n: number): Uint8Array => tlv(0x02, Uint8Array.of(n));
export const NULL = Uint8Array.of(0x05, 0x00);
/** Context-specific constructed tag [n] (EXPLICIT, or IMPLICIT for a SET/SEQUENCE). */
export const context = (n: number, ...items: readonly Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...items);

export function oid(dotted: string): Uint8Array {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}
