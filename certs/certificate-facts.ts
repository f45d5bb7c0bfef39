// Reads what validation and the store need from a DER certificate, once, into plain data.
import { X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { integerHex, nameDer, nameToString, parseDer } from './asn1.js';
import { memoByContent } from './by-content.js';
import { OID } from './oids.js';

export type KeyUsageBit =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

const KEY_USAGE_BITS: readonly KeyUsageBit[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** Extensions this validator understands; any other extension marked critical makes a certificate unusable (RFC 5280 §4.2). */
const UNDERSTOOD_EXTENSIONS = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.crlDistributionPoints,
  '2.5.29.17', // subjectAltName
  '2.5.29.32', // certificatePolicies (no policy processing: any policy is accepted)
]);

export interface CertificateFacts {
  readonly der: Uint8Array;
  readonly serial: string;
  readonly subject: string;
  readonly issuer: string;
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  readonly pathLength: number | undefined;
  /** undefined when the certificate has no keyUsage extension (any use allowed). */
  readonly keyUsage: ReadonlySet<KeyUsageBit> | undefined;
  readonly extendedKeyUsage: readonly string[];
  readonly extendedKeyUsageCritical: boolean;
  readonly subjectKeyId: string | undefined;
  readonly authorityKeyId: string | undefined;
  readonly crlUrls: readonly string[];
  /** OIDs of critical extensions not in UNDERSTOOD_EXTENSIONS. */
  readonly unknownCriticalExtensions: readonly string[];
  readonly publicKey: KeyObject;
  readonly x509: X509Certificate;
  readonly pkijs: pkijs.Certificate;
}

function keyUsageOf(ext: pkijs.Extension): Set<KeyUsageBit> {
  const parsed = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result;
  const view = parsed instanceof asn1js.BitString ? parsed.valueBlock.valueHexView : new Uint8Array(0);
  const set = new Set<KeyUsageBit>();
  KEY_USAGE_BITS.forEach((name, i) => {
    if (((view[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) set.add(name);
  });
  return set;
}

function crlUrlsOf(ext: pkijs.Extension): string[] {
  const points = (ext.parsedValue as pkijs.CRLDistributionPoints | undefined)?.distributionPoints ?? [];
  return points.flatMap((p) =>
    Array.isArray(p.distributionPoint)
      ? p.distributionPoint.filter((n) => n.type === 6).map((n) => String(n.value))
      : [],
  );
}

/** The facts of a DER certificate (throws when it is unreadable); the result is shared and must not be changed. */
export const certificateFacts = memoByContent(512, readFacts);

function readFacts(der: Uint8Array): CertificateFacts {
  const cert = new pkijs.Certificate({ schema: parseDer(der, 'certificate') });
  const x509 = new X509Certificate(Buffer.from(der));
  const ext = (oid: string) => cert.extensions?.find((e) => e.extnID === oid);
  const bc = ext(OID.basicConstraints)?.parsedValue as pkijs.BasicConstraints | undefined;
  const ku = ext(OID.keyUsage);
  const eku = ext(OID.extKeyUsage);
  const ski = ext(OID.subjectKeyIdentifier)?.parsedValue as asn1js.OctetString | undefined;
  const aki = ext(OID.authorityKeyIdentifier)?.parsedValue as pkijs.AuthorityKeyIdentifier | undefined;
  const crl = ext(OID.crlDistributionPoints);
  const pathLen = bc?.pathLenConstraint;
  return {
    der,
    serial: integerHex(cert.serialNumber),
    subject: nameToString(cert.subject),
    issuer: nameToString(cert.issuer),
    subjectDer: nameDer(cert.subject),
    issuerDer: nameDer(cert.issuer),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    isCa: bc?.cA === true,
    pathLength:
      typeof pathLen === 'number'
        ? pathLen
        : pathLen instanceof asn1js.Integer
          ? pathLen.valueBlock.valueDec
          : undefined,
    keyUsage: ku ? keyUsageOf(ku) : undefined,
    extendedKeyUsage: (eku?.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? [],
    extendedKeyUsageCritical: eku?.critical === true,
    subjectKeyId: ski ? Buffer.from(ski.valueBlock.valueHexView).toString('hex') : undefined,
    authorityKeyId: aki?.keyIdentifier
      ? Buffer.from(aki.keyIdentifier.valueBlock.valueHexView).toString('hex')
      : undefined,
    crlUrls: crl ? crlUrlsOf(crl) : [],
    unknownCriticalExtensions: (cert.extensions ?? [])
      .filter((e) => e.critical && !UNDERSTOOD_EXTENSIONS.has(e.extnID))
      .map((e) => e.extnID),
    publicKey: x509.publicKey,
    x509,
    pkijs: cert,
  };
}
