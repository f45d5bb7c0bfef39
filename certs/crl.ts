// X.509 v2 CRLs (RFC 5280 §5): revocation reasons and the reader (create-crl.ts builds and signs them).
import { verify, type KeyObject } from 'node:crypto';
import { memoByContent } from './by-content.js';
import { integerContentHex, readDerOrBer, type DerNode } from './der-node.js';
import {
  bitStringBytes,
  childrenOf,
  integerValue,
  isEnumerated,
  isContextTag,
  isInteger,
  isSequence,
  malformed,
  oidOf,
  smallIntegerOf,
  timeOf,
} from './der-values.js';
import { authorityKeyIdOf, extensionMap } from './x509-extensions.js';
import { nodeDigestName } from './encoding.js';
import { digestFromRsaSignatureOid, OID } from './oids.js';

/** RFC 5280 CRLReason names with their codes (7 is unused by the standard). */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASONS;

export interface RevokedEntry {
  /** Certificate serial, lower-case hex. */
  readonly serial: string;
  readonly date: Date;
  readonly reason: RevocationReason;
}

export interface ParsedCrl {
  readonly der: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly crlNumber: bigint | undefined;
  readonly authorityKeyId: string | undefined;
  readonly entries: readonly RevokedEntry[];
  /** Checks the CRL's signature with the issuer's public key. */
  verifySignature(issuerKey: KeyObject): boolean;
}

function reasonName(code: number): RevocationReason {
  const found = (Object.keys(REVOCATION_REASONS) as RevocationReason[]).find((k) => REVOCATION_REASONS[k] === code);
  return found ?? 'unspecified';
}

function entryReason(extensions: DerNode | undefined): RevocationReason {
  const ext = extensionMap(extensions).get(OID.crlReason);
  if (!ext) return 'unspecified';
  return readDerOrBer(ext.value, 'CRLReason', (value) =>
    isEnumerated(value) ? reasonName(smallIntegerOf(value, 'CRLReason')) : 'unspecified',
  );
}

/** The contents of a DER CRL (throws when it is unreadable); the result is shared and must not be changed. */
export const parseCrl = memoByContent(64, readCrl);

function readCrl(der: Uint8Array): ParsedCrl {
  return readDerOrBer(der, 'CRL', (root) => crlOf(der, root));
}

function crlOf(der: Uint8Array, root: DerNode): ParsedCrl {
  const [tbsNode, algorithm, signatureBits] = childrenOf(root, 'CRL');
  const tbsFields = childrenOf(tbsNode, 'TBSCertList');
  // version (v2) is optional and comes first; the revoked list and [0] extensions are optional after the times.
  const [, issuer, thisUpdate, ...rest] = tbsFields.slice(isInteger(tbsFields[0]) ? 1 : 0);
  if (!issuer) malformed('TBSCertList');
  const nextUpdate = rest[0] && !isSequence(rest[0]) && !isContextTag(rest[0], 0) ? rest.shift() : undefined;
  const revoked = isSequence(rest[0]) ? rest.shift() : undefined;
  const wrapped = rest.find((n) => isContextTag(n, 0));
  const extensions = extensionMap(wrapped ? childrenOf(wrapped, 'crlExtensions')[0] : undefined);
  const crlNumber = extensions.get(OID.crlNumber);
  const aki = extensions.get(OID.authorityKeyIdentifier);
  const tbs = tbsNode!.raw;
  const signature = bitStringBytes(signatureBits, 'CRL signature');
  const signatureOid = oidOf(childrenOf(algorithm, 'CRL signature algorithm')[0], 'CRL signature algorithm');
  return {
    der,
    issuerDer: issuer.raw,
    thisUpdate: timeOf(thisUpdate, 'thisUpdate'),
    nextUpdate: nextUpdate ? timeOf(nextUpdate, 'nextUpdate') : undefined,
    crlNumber: crlNumber ? readDerOrBer(crlNumber.value, 'cRLNumber', (n) => integerValue(n, 'cRLNumber')) : undefined,
    authorityKeyId: aki ? authorityKeyIdOf(aki.value) : undefined,
    entries: (revoked ? childrenOf(revoked, 'revokedCertificates') : []).map((e) => {
      const [serial, date, entryExtensions] = childrenOf(e, 'revoked certificate');
      if (!isInteger(serial)) malformed('revoked certificate serial');
      return {
        serial: integerContentHex(serial.octets()),
        date: timeOf(date, 'revocationDate'),
        reason: entryReason(entryExtensions),
      };
    }),
    verifySignature(issuerKey: KeyObject): boolean {
      const digest = digestFromRsaSignatureOid(signatureOid);
      return digest !== undefined && verify(nodeDigestName(digest), tbs, issuerKey, signature);
    },
  };
}
