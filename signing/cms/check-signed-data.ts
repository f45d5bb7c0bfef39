// Cryptographic check of one CMS SignedData: finds the signer certificate, compares the
// messageDigest with the content's digest and verifies the signature with node:crypto. Trust
// (chains, revocation, time) is decided elsewhere.
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { digest, integerHex, nodeDigestForOid, OID, parseDer, toBytes } from './der.js';

export interface SignedDataCheck {
  /** DER of the certificate that matches the SignerInfo's sid, if present. */
  readonly signerCertificate: Uint8Array | undefined;
  readonly certificates: readonly Uint8Array[];
  readonly digestMatches: boolean;
  readonly signatureValid: boolean;
  readonly signedAttributeOids: readonly string[];
  readonly signatureValue: Uint8Array;
  /** The signatureTimeStampToken unsigned attribute (DER ContentInfo), if any. */
  readonly timestampToken: Uint8Array | undefined;
  /** The encapsulated content (e.g. a TSTInfo), when the SignedData carries it. */
  readonly encapsulatedContent: Uint8Array | undefined;
  readonly encapsulatedContentType: string;
}

export function parseSignedData(cmsDer: Uint8Array): pkijs.SignedData {
  const info = new pkijs.ContentInfo({ schema: parseDer(cmsDer, 'CMS signature') });
  if (info.contentType !== OID.signedData) throw new Error('the CMS object is not SignedData');
  return new pkijs.SignedData({ schema: info.content });
}

function matchesSid(cert: pkijs.Certificate, sid: pkijs.SignerInfo['sid']): boolean {
  if (sid instanceof pkijs.IssuerAndSerialNumber) return cert.issuer.isEqual(sid.issuer) && integerHex(cert.serialNumber) === integerHex(sid.serialNumber);
  const ski = cert.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue as asn1js.OctetString | undefined;
  return !!ski && Buffer.from(ski.valueBlock.valueHexView).equals(Buffer.from((sid as asn1js.OctetString).valueBlock.valueHexView));
}

/**
 * Checks `cmsDer` over detached content given as parts (e.g. the two ByteRange pieces), or over
 * its own encapsulated content when `parts` is undefined.
 */
export function checkSignedData(cmsDer: Uint8Array, parts?: readonly Uint8Array[]): SignedDataCheck {
  const sd = parseSignedData(cmsDer);
  const si = sd.signerInfos[0];
  if (!si) throw new Error('the CMS signature has no SignerInfo');
  const certs = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const signerCert = certs.find((c) => matchesSid(c, si.sid));
  const digestName = nodeDigestForOid(si.digestAlgorithm.algorithmId);
  const eContent = sd.encapContentInfo.eContent ? toBytes(sd.encapContentInfo.eContent.getValue()) : undefined;
  const contentParts = parts ?? (eContent ? [eContent] : []);
  const contentDigest = digestName ? digest(digestName, ...contentParts) : new Uint8Array();
  const signatureValue = toBytes(si.signature.valueBlock.valueHexView);
  const attrs = si.signedAttrs?.attributes ?? [];
  let digestMatches: boolean;
  let signedBytes: Uint8Array;
  if (si.signedAttrs) {
    const md = attrs.find((a) => a.type === OID.messageDigest)?.values[0] as asn1js.OctetString | undefined;
    digestMatches = !!md && Buffer.from(md.valueBlock.valueHexView).equals(contentDigest);
    // Verify over the attributes exactly as they were encoded, re-tagged as a SET OF.
    signedBytes = new Uint8Array(toBytes(si.signedAttrs.encodedValue));
    signedBytes[0] = 0x31;
  } else {
    digestMatches = true;
    signedBytes = Buffer.concat(contentParts);
  }
  let signatureValid = false;
  if (signerCert && digestName) {
    try {
      const key = createPublicKey({ key: Buffer.from(signerCert.subjectPublicKeyInfo.toSchema().toBER()), format: 'der', type: 'spki' });
      signatureValid = verifySignature(digestName, signedBytes, key, signatureValue);
    } catch {
      signatureValid = false;
    }
  }
  const tst = si.unsignedAttrs?.attributes.find((a) => a.type === OID.signatureTimeStampToken)?.values[0] as asn1js.AsnType | undefined;
  return {
    signerCertificate: signerCert ? toBytes(signerCert.toSchema().toBER()) : undefined,
    certificates: certs.map((c) => toBytes(c.toSchema().toBER())),
    digestMatches,
    signatureValid: signatureValid && digestMatches,
    signedAttributeOids: attrs.map((a) => a.type),
    signatureValue,
    timestampToken: tst ? toBytes(tst.toBER()) : undefined,
    encapsulatedContent: eContent,
    encapsulatedContentType: sd.encapContentInfo.eContentType,
  };
}
