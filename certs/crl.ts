// X.509 v2 CRLs (RFC 5280 §5) built with pkijs and signed by a SigningKey (node:crypto or a token); and their reader.
import { verify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { integerFromHex, integerHex, nameDer, parseDer, x509Time } from './asn1.js';
import { memoByContent } from './by-content.js';
import { asSigningKey } from './KeySigner.js';
import type { SigningKey } from './types.js';
import { certificateFacts } from './certificate-facts.js';
import { nodeDigestName, toArrayBuffer } from './encoding.js';
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

export interface CrlOptions {
  /** DER of the CA certificate that issues the CRL. */
  readonly issuerCertificate: Uint8Array;
  /** In memory or a token's key (signed synchronously: CRLs are issued while a request reads them). */
  readonly issuerKey: KeyObject | SigningKey;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly crlNumber: bigint;
  readonly entries: readonly RevokedEntry[];
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

export function createCrl(o: CrlOptions): Uint8Array {
  const issuer = certificateFacts(o.issuerCertificate);
  const algorithm = new pkijs.AlgorithmIdentifier({
    algorithmId: OID.sha256WithRSA,
    algorithmParams: new asn1js.Null(),
  });
  const extensions: pkijs.Extension[] = [
    new pkijs.Extension({
      extnID: OID.crlNumber,
      critical: false,
      extnValue: integerFromHex(o.crlNumber.toString(16)).toBER(),
    }),
  ];
  if (issuer.subjectKeyId) {
    const aki = new pkijs.AuthorityKeyIdentifier({
      keyIdentifier: new asn1js.OctetString({ valueHex: toArrayBuffer(Buffer.from(issuer.subjectKeyId, 'hex')) }),
    });
    extensions.push(
      new pkijs.Extension({ extnID: OID.authorityKeyIdentifier, critical: false, extnValue: aki.toSchema().toBER() }),
    );
  }
  const crl = new pkijs.CertificateRevocationList({
    version: 1,
    signature: algorithm,
    issuer: issuer.pkijs.subject,
    thisUpdate: x509Time(o.thisUpdate),
    nextUpdate: x509Time(o.nextUpdate),
    crlExtensions: new pkijs.Extensions({ extensions }),
    signatureAlgorithm: algorithm,
  });
  if (o.entries.length > 0) {
    crl.revokedCertificates = o.entries.map(
      (e) =>
        new pkijs.RevokedCertificate({
          userCertificate: integerFromHex(e.serial),
          revocationDate: x509Time(e.date),
          crlEntryExtensions: new pkijs.Extensions({
            extensions: [
              new pkijs.Extension({
                extnID: OID.crlReason,
                critical: false,
                extnValue: new asn1js.Enumerated({ value: REVOCATION_REASONS[e.reason] }).toBER(),
              }),
            ],
          }),
        }),
    );
  }
  // encodeTBS is protected in pkijs' typings only; it is how pkijs itself signs a CRL.
  const tbs = new Uint8Array((crl as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER());
  crl.tbsView = tbs;
  crl.signatureValue = new asn1js.BitString({
    valueHex: toArrayBuffer(asSigningKey(o.issuerKey).signSync(tbs, 'SHA-256')),
  });
  return new Uint8Array(crl.toSchema().toBER());
}

function entryReason(entry: pkijs.RevokedCertificate): RevocationReason {
  const ext = entry.crlEntryExtensions?.extensions.find((e) => e.extnID === OID.crlReason);
  if (!ext) return 'unspecified';
  const value = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result;
  return value instanceof asn1js.Enumerated ? reasonName(value.valueBlock.valueDec) : 'unspecified';
}

/** The contents of a DER CRL (throws when it is unreadable); the result is shared and must not be changed. */
export const parseCrl = memoByContent(64, readCrl);

function readCrl(der: Uint8Array): ParsedCrl {
  const crl = new pkijs.CertificateRevocationList({ schema: parseDer(der, 'CRL') });
  const ext = (oid: string) => crl.crlExtensions?.extensions.find((e) => e.extnID === oid);
  const numberExt = ext(OID.crlNumber);
  const numberValue = numberExt ? asn1js.fromBER(numberExt.extnValue.valueBlock.valueHexView).result : undefined;
  const aki = ext(OID.authorityKeyIdentifier)?.parsedValue as pkijs.AuthorityKeyIdentifier | undefined;
  const tbs = crl.tbsView;
  const signature = crl.signatureValue.valueBlock.valueHexView;
  const signatureOid = crl.signatureAlgorithm.algorithmId;
  return {
    der,
    issuerDer: nameDer(crl.issuer),
    thisUpdate: crl.thisUpdate.value,
    nextUpdate: crl.nextUpdate?.value,
    crlNumber: numberValue instanceof asn1js.Integer ? BigInt(`0x${integerHex(numberValue)}`) : undefined,
    authorityKeyId: aki?.keyIdentifier
      ? Buffer.from(aki.keyIdentifier.valueBlock.valueHexView).toString('hex')
      : undefined,
    entries: (crl.revokedCertificates ?? []).map((e) => ({
      serial: integerHex(e.userCertificate as asn1js.Integer),
      date: e.revocationDate.value,
      reason: entryReason(e),
    })),
    verifySignature(issuerKey: KeyObject): boolean {
      const digest = digestFromRsaSignatureOid(signatureOid);
      return digest !== undefined && verify(nodeDigestName(digest), tbs, issuerKey, signature);
    },
  };
}
