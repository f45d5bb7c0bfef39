// ESS signingCertificateV2 (RFC 5035): binds the signature to the signer's certificate by hash.
import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { equalBytes, hash, toArrayBuffer } from '../encoding.js';
import { digestFromOid } from '../oids.js';
import { oidText, type DerNode } from '../der-node.js';
import { isOctetString, isOid, isSequence } from '../der-values.js';

/** SigningCertificateV2 { certs: [ ESSCertIDv2 { certHash (SHA-256, the DEFAULT), issuerSerial } ] }. */
export function signingCertificateV2(cert: pkijs.Certificate, certDer: Uint8Array): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })],
      }),
      cert.serialNumber,
    ],
  });
  const essCertId = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: toArrayBuffer(hash('SHA-256', certDer)) }), issuerSerial],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertId] })] });
}

/** Whether the first ESSCertIDv2 of a signingCertificateV2 value names `certDer`. */
export function signingCertificateV2Matches(value: DerNode, certDer: Uint8Array): boolean {
  const certs = isSequence(value) ? value.children()[0] : undefined;
  const first = isSequence(certs) ? certs.children()[0] : undefined;
  if (!isSequence(first)) return false;
  const parts = first.children();
  let digest: 'SHA-256' | 'SHA-384' | 'SHA-512' | undefined = 'SHA-256';
  let certHash = parts[0];
  if (isSequence(parts[0])) {
    const algorithm = parts[0].children()[0];
    digest = isOid(algorithm) ? digestFromOid(oidText(algorithm.octets())) : undefined;
    certHash = parts[1];
  }
  if (!digest || !isOctetString(certHash)) return false;
  return equalBytes(certHash.octets(), hash(digest, certDer));
}
