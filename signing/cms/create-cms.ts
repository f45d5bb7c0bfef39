// Builds CAdES-baseline CMS SignedData (RFC 5652, ETSI EN 319 122-1): detached, SHA-256, signed
// attributes exactly contentType, messageDigest and signingCertificateV2 (no signingTime: the
// claimed time lives in the PDF's /M), optional signature time-stamp token.
import type { Signer, TimeStamper } from '../../certs/types.js';
import { certificateIds, digest, OID } from './der.js';
import { context, derSetOrder, NULL, octetString, oid, sequence, set, tlv, integer } from './der-writer.js';

export interface CmsOptions {
  /** Adds an RFC 3161 signatureTimeStampToken over the signature value (CAdES B-T). */
  readonly timeStamper?: TimeStamper;
}

const attribute = (type: string, value: Uint8Array): Uint8Array => sequence(oid(type), set(value));
const SHA256 = sequence(oid(OID.sha256));

/** ESS signingCertificateV2 (RFC 5035): SHA-256 (the DEFAULT, so omitted) of the certificate, issuer and serial. */
function signingCertificateV2(certDer: Uint8Array, ids: { issuer: Uint8Array; serial: Uint8Array }): Uint8Array {
  const generalNames = sequence(tlv(0xa4, ids.issuer)); // [4] directoryName
  const essCertIdV2 = sequence(octetString(digest('sha256', certDer)), sequence(generalNames, ids.serial));
  return sequence(sequence(essCertIdV2));
}

/**
 * CMS SignedData over content whose SHA-256 is `contentDigest`, signed by `signer`; the content
 * itself is not included (detached). Returns the DER ContentInfo.
 */
export async function createCadesSignature(
  contentDigest: Uint8Array,
  signer: Signer,
  options: CmsOptions = {},
): Promise<Uint8Array> {
  const ids = certificateIds(signer.certificate);
  const signedAttrs = derSetOrder([
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octetString(contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(signer.certificate, ids)),
  ]);
  const signature = await signer.sign(set(...signedAttrs), 'SHA-256');
  const unsigned: Uint8Array[] = [];
  if (options.timeStamper) {
    const token = await options.timeStamper.timestamp(digest('sha256', signature), 'SHA-256');
    unsigned.push(context(1, attribute(OID.signatureTimeStampToken, token)));
  }
  const signerInfo = sequence(
    integer(1),
    sequence(ids.issuer, ids.serial),
    SHA256,
    context(0, ...signedAttrs),
    sequence(oid(OID.rsaEncryption), NULL),
    octetString(signature),
    ...unsigned,
  );
  // The certificates are a SET OF as well; verifiers find the signer's by issuer and serial, not by position.
  const certificates = context(0, ...derSetOrder([signer.certificate, ...signer.chain]));
  const signedData = sequence(integer(1), set(SHA256), sequence(oid(OID.data)), certificates, set(signerInfo));
  return sequence(oid(OID.signedData), context(0, signedData));
}

/** Detached CMS over arbitrary bytes (recording manifests, evidence packages). */
export async function createDetachedCms(
  content: Uint8Array,
  signer: Signer,
  options: CmsOptions = {},
): Promise<Uint8Array> {
  return createCadesSignature(digest('sha256', content), signer, options);
}
