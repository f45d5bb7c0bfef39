// Reads what validation and the store need from a DER certificate, once, into plain data.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { memoByContent } from './by-content.js';
import { authorityKeyIdOf, extensionMap } from './x509-extensions.js';
import { integerContentHex, readDerOrBer, type DerNode } from './der-node.js';
import {
  bitsOf,
  booleanOf,
  childrenOf,
  isBoolean,
  isContextTag,
  isInteger,
  malformed,
  nameText,
  octetStringOf,
  oidOf,
  smallIntegerOf,
  timeOf,
} from './der-values.js';
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
}

function keyUsageOf(value: Uint8Array): Set<KeyUsageBit> {
  const bits = readDerOrBer(value, 'keyUsage', (n) => bitsOf(n, 'keyUsage'));
  return new Set(KEY_USAGE_BITS.filter((_, i) => bits[i] === true));
}

/** URIs of the fullName of every distribution point. */
function crlUrlsOf(value: Uint8Array): string[] {
  return readDerOrBer(value, 'cRLDistributionPoints', (points) =>
    childrenOf(points, 'cRLDistributionPoints').flatMap((point) => {
      const name = childrenOf(point, 'distribution point').find((n) => isContextTag(n, 0));
      const fullName = name ? childrenOf(name, 'distribution point name').find((n) => isContextTag(n, 0)) : undefined;
      return fullName
        ? childrenOf(fullName, 'fullName')
            .filter((n) => isContextTag(n, 6))
            .map((n) => Buffer.from(n.octets()).toString('latin1'))
        : [];
    }),
  );
}

function basicConstraintsOf(value: Uint8Array): { isCa: boolean; pathLength: number | undefined } {
  return readDerOrBer(value, 'basicConstraints', (n) => {
    const parts = childrenOf(n, 'basicConstraints');
    const isCa = isBoolean(parts[0]) && booleanOf(parts[0], 'basicConstraints cA');
    const pathLen = parts.find(isInteger);
    return { isCa, pathLength: pathLen ? smallIntegerOf(pathLen, 'pathLenConstraint') : undefined };
  });
}

/** The facts of a DER certificate (throws when it is unreadable); the result is shared and must not be changed. */
export const certificateFacts = memoByContent(512, readFacts);

function readFacts(der: Uint8Array): CertificateFacts {
  return readDerOrBer(der, 'certificate', (root) => factsOf(der, root));
}

function factsOf(der: Uint8Array, root: DerNode): CertificateFacts {
  const tbs = childrenOf(childrenOf(root, 'certificate')[0], 'TBSCertificate');
  // The version is an explicit [0] before the serial, absent for v1.
  const [serial, , issuer, validity, subject] = tbs.slice(isContextTag(tbs[0], 0) ? 1 : 0);
  if (!isInteger(serial) || !issuer || !subject) malformed('TBSCertificate');
  const [notBefore, notAfter] = childrenOf(validity, 'validity');
  const x509 = new X509Certificate(der);
  const wrapped = tbs.find((n) => isContextTag(n, 3));
  const extensions = extensionMap(wrapped ? childrenOf(wrapped, 'extensions')[0] : undefined);
  const ext = (oid: string) => extensions.get(oid);
  const bc = ext(OID.basicConstraints);
  const ku = ext(OID.keyUsage);
  const eku = ext(OID.extKeyUsage);
  const ski = ext(OID.subjectKeyIdentifier);
  const aki = ext(OID.authorityKeyIdentifier);
  const crl = ext(OID.crlDistributionPoints);
  return {
    der,
    serial: integerContentHex(serial.octets()),
    subject: nameText(subject, 'subject'),
    issuer: nameText(issuer, 'issuer'),
    subjectDer: subject.raw,
    issuerDer: issuer.raw,
    notBefore: timeOf(notBefore, 'notBefore'),
    notAfter: timeOf(notAfter, 'notAfter'),
    ...(bc ? basicConstraintsOf(bc.value) : { isCa: false, pathLength: undefined }),
    keyUsage: ku ? keyUsageOf(ku.value) : undefined,
    extendedKeyUsage: eku
      ? readDerOrBer(eku.value, 'extKeyUsage', (n) => childrenOf(n, 'extKeyUsage').map((p) => oidOf(p, 'key purpose')))
      : [],
    extendedKeyUsageCritical: eku?.critical === true,
    subjectKeyId: ski
      ? readDerOrBer(ski.value, 'subjectKeyIdentifier', (n) =>
          Buffer.from(octetStringOf(n, 'subjectKeyIdentifier')).toString('hex'),
        )
      : undefined,
    authorityKeyId: aki ? authorityKeyIdOf(aki.value) : undefined,
    crlUrls: crl ? crlUrlsOf(crl.value) : [],
    unknownCriticalExtensions: [...extensions]
      .filter(([oid, e]) => e.critical && !UNDERSTOOD_EXTENSIONS.has(oid))
      .map(([oid]) => oid),
    publicKey: x509.publicKey,
    x509,
  };
}
