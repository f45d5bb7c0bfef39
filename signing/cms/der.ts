// asn1js/pkijs glue: DER parsing with typed failures, byte conversions, hashing.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { DigestAlgorithm } from '../../certs/types.js';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  sha1: '1.3.14.3.2.26',
} as const;

const DIGEST_BY_OID: Record<string, string> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
  [OID.sha1]: 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.5': 'sha1',
};

/** node:crypto's name for a digest (or digest-with-RSA) algorithm OID, undefined if unknown. */
export function nodeDigestForOid(oid: string): string | undefined {
  return DIGEST_BY_OID[oid];
}

export function nodeDigest(d: DigestAlgorithm): 'sha256' | 'sha384' | 'sha512' {
  return d === 'SHA-256' ? 'sha256' : d === 'SHA-384' ? 'sha384' : 'sha512';
}

export function digest(alg: string, ...parts: Uint8Array[]): Uint8Array {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

export function toBytes(buf: ArrayBuffer | ArrayBufferView): Uint8Array {
  return buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Parses DER, throwing `Error(what…)` instead of returning asn1js's error object. */
export function parseDer(der: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(toArrayBuffer(der));
  if (parsed.offset === -1) throw new Error(`${what} is not valid DER`);
  return parsed.result;
}

/** Parsed certificates by DER array: a signer's certificate and chain are parsed once per process. */
const parsedCertificates = new WeakMap<Uint8Array, pkijs.Certificate>();

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  let cert = parsedCertificates.get(der);
  if (!cert) {
    cert = new pkijs.Certificate({ schema: parseDer(der, 'certificate') });
    parsedCertificates.set(der, cert);
  }
  return cert;
}

export function algorithm(oid: string, withNullParams = true): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({ algorithmId: oid, ...(withNullParams ? { algorithmParams: new asn1js.Null() } : {}) });
}

/** The magnitude of an INTEGER as lower-case hex, without leading zero octets. */
export function integerHex(value: asn1js.Integer): string {
  return Buffer.from(value.valueBlock.valueHexView).toString('hex').replace(/^(00)+(?=..)/, '');
}

const NAME_LABELS: Record<string, string> = { '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.5': 'serialNumber' };

export function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues.map((tv) => `${NAME_LABELS[tv.type] ?? tv.type}=${String((tv.value.valueBlock as { value?: unknown }).value ?? '')}`).join(', ');
}

export function commonName(name: pkijs.RelativeDistinguishedNames): string | undefined {
  const cn = name.typesAndValues.find((tv) => tv.type === '2.5.4.3');
  return cn ? String((cn.value.valueBlock as { value?: unknown }).value ?? '') : undefined;
}
