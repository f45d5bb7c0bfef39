// ESS signingCertificateV2 (RFC 5035): binds the signature to the signer's certificate by hash.
import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { equalBytes, hash, toArrayBuffer } from '../encoding.js';
import { digestFromOid } from '../oids.js';

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
export function signingCertificateV2Matches(value: asn1js.AsnType, certDer: Uint8Array): boolean {
  const certs = value instanceof asn1js.Sequence ? value.valueBlock.value[0] : undefined;
  const first = certs instanceof asn1js.Sequence ? certs.valueBlock.value[0] : undefined;
  if (!(first instanceof asn1js.Sequence)) return false;
  const parts = first.valueBlock.value;
  let digest: 'SHA-256' | 'SHA-384' | 'SHA-512' | undefined = 'SHA-256';
  let certHash = parts[0];
  if (parts[0] instanceof asn1js.Sequence) {
    const algorithm = parts[0].valueBlock.value[0];
    digest = algorithm instanceof asn1js.ObjectIdentifier ? digestFromOid(algorithm.valueBlock.toString()) : undefined;
    certHash = parts[1];
  }
  if (!digest || !(certHash instanceof asn1js.OctetString)) return false;
  return equalBytes(new Uint8Array(certHash.valueBlock.valueHexView), hash(digest, certDer));
}
