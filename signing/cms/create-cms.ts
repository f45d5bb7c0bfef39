// Builds CAdES-baseline CMS SignedData (RFC 5652, ETSI EN 319 122-1) with pkijs: detached,
// SHA-256, signed attributes exactly contentType, messageDigest and signingCertificateV2 (no
// signingTime: the claimed time lives in the PDF's /M), optional signature time-stamp token.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Signer, TimeStamper } from '../../certs/types.js';
import { algorithm, digest, OID, parseCertificate, parseDer, toArrayBuffer, toBytes } from './der.js';

export interface CmsOptions {
  /** Adds an RFC 3161 signatureTimeStampToken over the signature value (CAdES B-T). */
  readonly timeStamper?: TimeStamper;
}

/** ESS signingCertificateV2 (RFC 5035) with the SHA-256 of the signer certificate and its issuer/serial. */
function signingCertificateV2(cert: pkijs.Certificate, certDer: Uint8Array): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })] }),
      cert.serialNumber,
    ],
  });
  // hashAlgorithm is omitted: SHA-256 is its DEFAULT.
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: toArrayBuffer(digest('sha256', certDer)) }), issuerSerial] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

/** DER of the signed attributes as they are signed: a SET OF (tag 0x31), not the [0] IMPLICIT form. */
export function signedAttributesForSigning(attrs: pkijs.SignedAndUnsignedAttributes): Uint8Array {
  const der = new Uint8Array(attrs.toSchema().toBER());
  der[0] = 0x31;
  return der;
}

/**
 * CMS SignedData over content whose SHA-256 is `contentDigest`, signed by `signer`; the content
 * itself is not included (detached). Returns the DER ContentInfo.
 */
export async function createCadesSignature(contentDigest: Uint8Array, signer: Signer, options: CmsOptions = {}): Promise<Uint8Array> {
  const cert = parseCertificate(signer.certificate);
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
      new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(contentDigest) })] }),
      new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2(cert, signer.certificate)] }),
    ],
  });
  const signature = await signer.sign(signedAttributesForSigning(signedAttrs), 'SHA-256');
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: algorithm(OID.sha256, false),
    signedAttrs,
    signatureAlgorithm: algorithm(OID.rsaEncryption),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  if (options.timeStamper) {
    const token = await options.timeStamper.timestamp(digest('sha256', signature), 'SHA-256');
    signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes: [new pkijs.Attribute({ type: OID.signatureTimeStampToken, values: [parseDer(token, 'time-stamp token')] })],
    });
  }
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [algorithm(OID.sha256, false)],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [cert, ...signer.chain.map(parseCertificate)],
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return toBytes(contentInfo.toSchema().toBER());
}

/** Detached CMS over arbitrary bytes (recording manifests, evidence packages). */
export async function createDetachedCms(content: Uint8Array, signer: Signer, options: CmsOptions = {}): Promise<Uint8Array> {
  return createCadesSignature(digest('sha256', content), signer, options);
}
