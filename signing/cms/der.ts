// asn1js glue: OIDs, DER parsing with typed failures, certificate ids, hashing.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';

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

/** Parses DER, throwing `Error(what…)` instead of returning asn1js's error object. */
export function parseDer(der: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(toArrayBuffer(der));
  if (parsed.offset === -1) throw new Error(`${what} is not valid DER`);
  return parsed.result;
}

/** Issuer Name and serial INTEGER of a certificate, as their original DER, read from the TBSCertificate. */
export function certificateIds(der: Uint8Array): { issuer: Uint8Array; serial: Uint8Array; serialHex: string } {
  const cert = parseDer(der, 'certificate') as asn1js.Sequence;
  return certificateIdsOf(cert);
}

export function certificateIdsOf(cert: asn1js.AsnType): { issuer: Uint8Array; serial: Uint8Array; serialHex: string } {
  const tbs = (cert as asn1js.Sequence).valueBlock.value?.[0] as asn1js.Sequence | undefined;
  const fields = tbs?.valueBlock.value ?? [];
  const offset = fields[0]?.idBlock.tagClass === 3 ? 1 : 0;
  const serial = fields[offset];
  const issuer = fields[offset + 2];
  if (!(serial instanceof asn1js.Integer) || !(issuer instanceof asn1js.Sequence))
    throw new Error('certificate is malformed');
  return {
    issuer: new Uint8Array(issuer.valueBeforeDecodeView),
    serial: new Uint8Array(serial.valueBeforeDecodeView),
    serialHex: integerHex(serial),
  };
}

/** The magnitude of an INTEGER as lower-case hex, without leading zero octets. */
export function integerHex(value: asn1js.Integer): string {
  return Buffer.from(value.valueBlock.valueHexView)
    .toString('hex')
    .replace(/^(00)+(?=..)/, '');
}
