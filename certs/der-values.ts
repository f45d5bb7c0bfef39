// Typed values read from DerNode elements (see der-node.ts): what certificate, CRL and time-stamp
// readers need, with a message naming the field when the element is not what the syntax says.
import { isUniversal, oidText, type DerNode } from './der-node.js';

const TAG = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  oid: 6,
  enumerated: 10,
  utf8String: 12,
  printableString: 19,
  teletexString: 20,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  universalString: 28,
  bmpString: 30,
} as const;

export function malformed(what: string): never {
  throw new Error(`malformed ${what}`);
}

export const isContextTag = (n: DerNode | undefined, tag: number): n is DerNode =>
  n?.tagClass === 2 && n.tagNumber === tag;

export const childrenOf = (n: DerNode | undefined, what: string): DerNode[] =>
  n?.constructed ? n.children() : malformed(what);

export const oidOf = (n: DerNode | undefined, what: string): string =>
  isUniversal(n, TAG.oid) && !n.constructed ? oidText(n.octets()) : malformed(what);

export const octetStringOf = (n: DerNode | undefined, what: string): Uint8Array =>
  isUniversal(n, TAG.octetString) ? n.octets() : malformed(what);

export const booleanOf = (n: DerNode | undefined, what: string): boolean =>
  isUniversal(n, TAG.boolean) ? (n.octets()[0] ?? 0) !== 0 : malformed(what);

export const isInteger = (n: DerNode | undefined): n is DerNode => isUniversal(n, TAG.integer);
export const isEnumerated = (n: DerNode | undefined): n is DerNode => isUniversal(n, TAG.enumerated);
export const isOid = (n: DerNode | undefined): n is DerNode => isUniversal(n, TAG.oid);
export const isBoolean = (n: DerNode | undefined): n is DerNode => isUniversal(n, TAG.boolean);
export const isOctetString = (n: DerNode | undefined): n is DerNode => isUniversal(n, TAG.octetString);
export const isSequence = (n: DerNode | undefined): n is DerNode => isUniversal(n, 16);

/** A small non-negative INTEGER or ENUMERATED (a version, a path length, a reason) as a number. */
export function smallIntegerOf(n: DerNode | undefined, what: string): number {
  if (!isInteger(n) && !isEnumerated(n)) malformed(what);
  const content = n.octets();
  if (content.length === 0 || content.length > 6 || (content[0]! & 0x80) !== 0) malformed(what);
  return content.reduce((v, b) => v * 256 + b, 0);
}

/** The octets of a BIT STRING made of whole octets (a signature). */
export function bitStringBytes(n: DerNode | undefined, what: string): Uint8Array {
  if (!isUniversal(n, TAG.bitString) || n.octets()[0] !== 0) malformed(what);
  return n.octets().subarray(1);
}

/** A non-negative INTEGER of any size. */
export function integerValue(n: DerNode | undefined, what: string): bigint {
  if (!isInteger(n) || (n.octets()[0] ?? 0x80) & 0x80) malformed(what);
  return BigInt(`0x${Buffer.from(n.octets()).toString('hex')}`);
}

/** The bits of a BIT STRING, most significant first (bit i of the named bits is bits[i]). */
export function bitsOf(n: DerNode | undefined, what: string): boolean[] {
  if (!isUniversal(n, TAG.bitString)) malformed(what);
  const content = n.octets();
  const unused = content[0] ?? 0;
  const bits: boolean[] = [];
  for (let i = 0; i < (content.length - 1) * 8 - unused; i++)
    bits.push(((content[1 + (i >> 3)]! >> (7 - (i & 7))) & 1) === 1);
  return bits;
}

/** A UTCTime or GeneralizedTime (with optional fraction of a second), which DER writes in UTC ("Z"). */
export function timeOf(n: DerNode | undefined, what: string): Date {
  const utc = isUniversal(n, TAG.utcTime);
  if (!utc && !isUniversal(n, TAG.generalizedTime)) malformed(what);
  const text = Buffer.from(n.octets()).toString('latin1');
  const m = (
    utc ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/ : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d{1,9})?Z$/
  ).exec(text);
  if (!m) malformed(what);
  let year = Number(m[1]);
  // RFC 5280 §4.1.2.5.1: two-digit years 50–99 are 19xx, 00–49 are 20xx.
  if (utc) year += year >= 50 ? 1900 : 2000;
  const millis = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), millis));
}

/** The text of a directory string; '' for a type that is not a string. */
export function stringOf(n: DerNode): string {
  if (n.tagClass !== 0) return '';
  const content = Buffer.from(n.octets());
  switch (n.tagNumber) {
    case TAG.utf8String:
      return content.toString('utf8');
    case TAG.printableString:
    case TAG.ia5String:
    case TAG.teletexString:
      return content.toString('latin1');
    case TAG.bmpString:
      return content.length % 2 === 0 ? content.swap16().toString('utf16le') : '';
    case TAG.universalString: {
      let text = '';
      for (let i = 0; i + 3 < content.length; i += 4) text += String.fromCodePoint(content.readUInt32BE(i));
      return text;
    }
    default:
      return '';
  }
}

/** The attribute type/value pairs of a Name, in order, across its RDNs. */
export function nameAttributes(name: DerNode, what: string): { type: string; value: string }[] {
  return childrenOf(name, what).flatMap((rdn) =>
    childrenOf(rdn, what).map((atv) => {
      const [type, value] = childrenOf(atv, what);
      return { type: oidOf(type, what), value: value ? stringOf(value) : '' };
    }),
  );
}

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** "CN=…, O=…" with the values as text (UTF-8 names stay readable). */
export function nameText(name: DerNode, what: string): string {
  return nameAttributes(name, what)
    .map((a) => `${ATTRIBUTE_NAMES[a.type] ?? a.type}=${a.value}`)
    .join(', ');
}
