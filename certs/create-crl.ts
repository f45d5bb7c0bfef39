// Builds an X.509 v2 CRL (RFC 5280 §5) with pkijs and signs it with a SigningKey (node:crypto or a
// token). Apart from the reader in crl.ts, so that verifying does not load pkijs.
import type { KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { integerFromHex, parseDer, x509Time } from './asn1.js';
import { certificateFacts } from './certificate-facts.js';
import { REVOCATION_REASONS, type RevokedEntry } from './crl.js';
import { toArrayBuffer } from './encoding.js';
import { asSigningKey } from './KeySigner.js';
import { OID } from './oids.js';
import type { SigningKey } from './types.js';

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
    issuer: new pkijs.RelativeDistinguishedNames({ schema: parseDer(issuer.subjectDer, 'issuer name') }),
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
