// One view of an ASN.1 element for the CMS checks, from either of two readers:
// - derNode: a lazy DER reader that only decodes what is asked for. asn1js decodes every nested
//   element up front (a CMS signature's certificates and its time-stamp token with theirs), which
//   was most of a verification; here a certificate is one slice until something looks inside.
// - asn1jsNode: asn1js' tree, for BER (indefinite lengths, constructed strings: NSS writes them),
//   which derNode refuses.
import * as asn1js from 'asn1js';

export interface DerNode {
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly tagClass: number;
  readonly tagNumber: number;
  readonly constructed: boolean;
  /** The whole element as encoded (tag, length and content). */
  readonly raw: Uint8Array;
  /** The elements inside a constructed one (throws on a primitive). */
  children(): DerNode[];
  /** The content octets of a primitive (a constructed BER OCTET STRING: its pieces joined). */
  octets(): Uint8Array;
}

export const UNIVERSAL = { integer: 2, octetString: 4, oid: 6, sequence: 16, set: 17 } as const;

export class NotDerError extends Error {}

/** The element starting at `at` of `bytes`, and where it ends. Throws NotDerError for what is not definite-length DER. */
function readElement(bytes: Uint8Array, at: number): { node: DerNode; end: number } {
  if (at + 2 > bytes.length) throw new NotDerError('truncated');
  const id = bytes[at]!;
  if ((id & 0x1f) === 0x1f) throw new NotDerError('high tag number');
  let len = bytes[at + 1]!;
  let header = 2;
  if (len >= 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new NotDerError('indefinite or huge length');
    if (at + 2 + n > bytes.length) throw new NotDerError('truncated');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[at + 2 + i]!;
    header += n;
  }
  const end = at + header + len;
  if (end > bytes.length) throw new NotDerError('truncated');
  const raw = bytes.subarray(at, end);
  const constructed = (id & 0x20) !== 0;
  const tagNumber = id & 0x1f;
  const node: DerNode = {
    tagClass: id >> 6,
    tagNumber,
    constructed,
    raw,
    children() {
      if (!constructed) throw new NotDerError('not constructed');
      const out: DerNode[] = [];
      for (let p = header; p < raw.length;) {
        const e = readElement(raw, p);
        out.push(e.node);
        p = e.end;
      }
      return out;
    },
    octets() {
      // DER never splits a string into pieces.
      if (constructed) throw new NotDerError('constructed string');
      return raw.subarray(header);
    },
  };
  return { node, end };
}

/** The one element that `bytes` must be exactly (DER); NotDerError otherwise. */
export function derNode(bytes: Uint8Array): DerNode {
  const { node, end } = readElement(bytes, 0);
  if (end !== bytes.length) throw new NotDerError('trailing bytes');
  return node;
}

export function asn1jsNode(n: asn1js.AsnType): DerNode {
  const b = n as asn1js.AsnType & {
    idBlock: { tagClass: number; tagNumber: number; isConstructed: boolean; blockLength: number };
    lenBlock: { blockLength: number };
    valueBlock: { value?: asn1js.AsnType[] };
    valueBeforeDecodeView: Uint8Array;
  };
  const raw = new Uint8Array(b.valueBeforeDecodeView);
  return {
    tagClass: b.idBlock.tagClass - 1,
    tagNumber: b.idBlock.tagNumber,
    constructed: b.idBlock.isConstructed,
    raw,
    children() {
      if (!Array.isArray(b.valueBlock.value)) throw new Error('not constructed');
      return b.valueBlock.value.map(asn1jsNode);
    },
    octets() {
      if (n instanceof asn1js.OctetString && n.valueBlock.isConstructed) return new Uint8Array(n.getValue());
      // A primitive has a definite length even in BER: its content follows the tag and length.
      return raw.subarray(b.idBlock.blockLength + b.lenBlock.blockLength);
    },
  };
}

export const isUniversal = (n: DerNode | undefined, tag: number): n is DerNode =>
  n?.tagClass === 0 && n.tagNumber === tag;

/** Dotted form of an OBJECT IDENTIFIER's content octets. */
export function oidText(content: Uint8Array): string {
  const arcs: number[] = [];
  let v = 0;
  for (const b of content) {
    v = v * 128 + (b & 0x7f);
    if (b < 0x80) {
      if (!arcs.length) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}

/** The magnitude of an INTEGER's content octets as lower-case hex, without leading zero octets. */
export function integerContentHex(content: Uint8Array): string {
  let i = 0;
  while (i < content.length - 1 && content[i] === 0) i++;
  return Buffer.from(content.subarray(i)).toString('hex');
}
