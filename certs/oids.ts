// Object identifiers used across certs/ (named once so that no module spells an OID twice).
import type { DigestAlgorithm } from './types.js';

export const OID = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  authorityKeyIdentifier: '2.5.29.35',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  crlDistributionPoints: '2.5.29.31',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  /**
   * TSA policy. 1.3.6.1.4.1.55555 stands in for a private enterprise number (IANA PEN) the operator
   * has not registered yet; .1.1 = Tongban Desk TSA policy version 1. Replace with a real PEN arc.
   */
  tsaPolicy: '1.3.6.1.4.1.55555.1.1',
} as const;

const DIGEST_OIDS: Record<DigestAlgorithm, string> = {
  'SHA-256': OID.sha256,
  'SHA-384': OID.sha384,
  'SHA-512': OID.sha512,
};

const RSA_SIGNATURE_OIDS: Record<DigestAlgorithm, string> = {
  'SHA-256': OID.sha256WithRSA,
  'SHA-384': OID.sha384WithRSA,
  'SHA-512': OID.sha512WithRSA,
};

export function digestOid(digest: DigestAlgorithm): string {
  return DIGEST_OIDS[digest];
}

export function rsaSignatureOid(digest: DigestAlgorithm): string {
  return RSA_SIGNATURE_OIDS[digest];
}

export function digestFromOid(oid: string): DigestAlgorithm | undefined {
  return (Object.keys(DIGEST_OIDS) as DigestAlgorithm[]).find((d) => DIGEST_OIDS[d] === oid);
}

/** The digest of an RSA PKCS#1 v1.5 signature algorithm OID. */
export function digestFromRsaSignatureOid(oid: string): DigestAlgorithm | undefined {
  return (Object.keys(RSA_SIGNATURE_OIDS) as DigestAlgorithm[]).find((d) => RSA_SIGNATURE_OIDS[d] === oid);
}
