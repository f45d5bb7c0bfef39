// Cryptographic check of one CMS SignedData: finds the signer certificate, compares the
// messageDigest with the content's digest and verifies the signature with node:crypto. Trust
// (chains, revocation, time) is decided elsewhere. The structure is walked with der-node.ts' lazy
// DER reader (asn1js' tree for BER), and every nested element is kept as its original bytes.
import { verify as verifySignature, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { digest, nodeDigestForOid, OID, toArrayBuffer } from './der.js';
import {
  asn1jsNode,
  derNode,
  integerContentHex,
  isUniversal,
  NotDerError,
  oidText,
  UNIVERSAL,
  type DerNode,
} from './der-node.js';

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

function bad(what: string): never {
  throw new Error(`the CMS signature is malformed (${what})`);
}

const children = (n: DerNode | undefined, what: string): DerNode[] => (n?.constructed ? n.children() : bad(what));
const isContext = (n: DerNode | undefined, tag: number): boolean => n?.tagClass === 2 && n.tagNumber === tag;
const oidOf = (n: DerNode | undefined, what: string): string =>
  isUniversal(n, UNIVERSAL.oid) && !n.constructed ? oidText(n.octets()) : bad(what);
const raw = (n: DerNode): Uint8Array => new Uint8Array(n.raw);

function octets(n: DerNode | undefined, what: string): Uint8Array {
  if (!isUniversal(n, UNIVERSAL.octetString)) bad(what);
  return new Uint8Array(n.octets());
}

interface Attribute {
  readonly oid: string;
  readonly first: DerNode | undefined;
}

function attributes(set: DerNode): Attribute[] {
  return children(set, 'attributes').map((a) => {
    const [type, values] = children(a, 'attribute');
    return { oid: oidOf(type, 'attribute type'), first: children(values, 'attribute values')[0] };
  });
}

/** Issuer Name and serial of a certificate, as in its TBSCertificate. */
function certificateIdsOf(cert: DerNode): { issuer: Uint8Array; serialHex: string } {
  const fields = children(children(cert, 'certificate')[0], 'TBSCertificate');
  const offset = fields[0]?.tagClass === 2 ? 1 : 0;
  const serial = fields[offset];
  const issuer = fields[offset + 2];
  if (!isUniversal(serial, UNIVERSAL.integer) || !isUniversal(issuer, UNIVERSAL.sequence)) bad('certificate');
  return { issuer: issuer.raw, serialHex: integerContentHex(serial.octets()) };
}

function findSignerCertificate(certs: readonly DerNode[], sid: DerNode): Uint8Array | undefined {
  if (!isUniversal(sid, UNIVERSAL.sequence)) return undefined; // subjectKeyIdentifier sids are not used by PAdES signers here
  const [issuer, serial] = children(sid, 'sid');
  if (!issuer || !isUniversal(serial, UNIVERSAL.integer)) return undefined;
  const wanted = { issuer: Buffer.from(issuer.raw), serial: integerContentHex(serial.octets()) };
  for (const c of certs) {
    const ids = certificateIdsOf(c);
    if (ids.serialHex === wanted.serial && wanted.issuer.equals(ids.issuer)) return raw(c);
  }
  return undefined;
}

/**
 * Checks `cmsDer` over detached content given as parts (e.g. the two ByteRange pieces), or over
 * its own encapsulated content when `parts` is undefined.
 */
export function checkSignedData(cmsDer: Uint8Array, parts?: readonly Uint8Array[]): SignedDataCheck {
  try {
    return check(derNode(cmsDer), parts);
  } catch (err) {
    if (!(err instanceof NotDerError)) throw err;
  }
  const parsed = asn1js.fromBER(toArrayBuffer(cmsDer));
  if (parsed.offset === -1) throw new Error('CMS signature is not valid DER');
  return check(asn1jsNode(parsed.result), parts);
}

function check(root: DerNode, parts: readonly Uint8Array[] | undefined): SignedDataCheck {
  const [contentType, wrapped] = children(root, 'ContentInfo');
  if (oidOf(contentType, 'content type') !== OID.signedData) throw new Error('the CMS object is not SignedData');
  const sd = children(children(wrapped, 'content')[0], 'SignedData');
  const [, , encap] = sd;
  const [eType, eWrapped] = children(encap, 'encapContentInfo');
  const eContent = eWrapped ? octets(children(eWrapped, 'eContent')[0], 'eContent') : undefined;
  const certs = sd
    .filter((n) => isContext(n, 0))
    .flatMap((n) => children(n, 'certificates'))
    .filter((n) => isUniversal(n, UNIVERSAL.sequence));
  const si = children(sd[sd.length - 1], 'signerInfos')[0];
  if (!si) throw new Error('the CMS signature has no SignerInfo');
  const siParts = children(si, 'SignerInfo');
  const [, sid, digestAlg] = siParts;
  const signedAttrs = siParts.find((n) => isContext(n, 0));
  const unsignedAttrs = siParts.find((n) => isContext(n, 1));
  const signatureValue = octets(
    siParts.find((n, i) => i > 2 && isUniversal(n, UNIVERSAL.octetString)),
    'signature',
  );
  const digestName = nodeDigestForOid(oidOf(children(digestAlg, 'digestAlgorithm')[0], 'digest algorithm'));
  const contentParts = parts ?? (eContent ? [eContent] : []);
  const contentDigest = digestName ? digest(digestName, ...contentParts) : new Uint8Array();
  const signed = signedAttrs ? attributes(signedAttrs) : [];

  let digestMatches: boolean;
  let signedBytes: Uint8Array;
  if (signedAttrs) {
    const md = signed.find((a) => a.oid === OID.messageDigest)?.first;
    digestMatches = isUniversal(md, UNIVERSAL.octetString) && Buffer.from(md.octets()).equals(contentDigest);
    // Verify over the attributes exactly as they were encoded, re-tagged as a SET OF.
    signedBytes = raw(signedAttrs).slice();
    signedBytes[0] = 0x31;
  } else {
    digestMatches = true;
    signedBytes = Buffer.concat(contentParts);
  }
  const signerCertificate = sid ? findSignerCertificate(certs, sid) : undefined;
  let signatureValid = false;
  if (signerCertificate && digestName) {
    try {
      signatureValid = verifySignature(
        digestName,
        signedBytes,
        new X509Certificate(signerCertificate).publicKey,
        signatureValue,
      );
    } catch {
      signatureValid = false;
    }
  }
  const token = unsignedAttrs
    ? attributes(unsignedAttrs).find((a) => a.oid === OID.signatureTimeStampToken)?.first
    : undefined;
  return {
    signerCertificate,
    certificates: certs.map(raw),
    digestMatches,
    signatureValid: signatureValid && digestMatches,
    signedAttributeOids: signed.map((a) => a.oid),
    signatureValue,
    timestampToken: token ? raw(token) : undefined,
    encapsulatedContent: eContent,
    encapsulatedContentType: oidOf(eType, 'eContentType'),
  };
}
