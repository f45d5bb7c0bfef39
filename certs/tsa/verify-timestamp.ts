// Independent check of an RFC 3161 TimeStampToken: imprint, CMS signature over the signed
// attributes, messageDigest over the TSTInfo, ESS certificate binding, the TSA's extKeyUsage and
// its chain (valid and unrevoked at genTime).
import { verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { integerHex, parseDer } from '../asn1.js';
import { certificateFacts, type CertificateFacts } from '../certificate-facts.js';
import { validateCertificateChain, type ChainValidationResult } from '../chain-validation.js';
import { equalBytes, hash as digestOf, nodeDigestName } from '../encoding.js';
import { digestFromOid, OID } from '../oids.js';
import type { DigestAlgorithm } from '../types.js';
import { signingCertificateV2Matches } from './signing-certificate.js';

export interface VerifyTimeStampOptions {
  /** The hash the token should cover (with `digest`), or… */
  readonly hash?: Uint8Array;
  readonly digest?: DigestAlgorithm;
  /** …the data itself, hashed with the token's own algorithm. */
  readonly data?: Uint8Array;
  readonly trustAnchors: readonly Uint8Array[];
  /** CA certificates, and the TSA certificate when the token does not carry it. */
  readonly intermediates?: readonly Uint8Array[];
  readonly crls?: readonly Uint8Array[];
}

export interface TimeStampVerification {
  /** Signature, attributes, TSA certificate and chain all good (and the imprint, when given). */
  readonly valid: boolean;
  readonly time: Date | undefined;
  /** undefined when neither `hash` nor `data` was given. */
  readonly hashMatches: boolean | undefined;
  /** The messageImprint's hash algorithm (what binds the token to the data); undefined if unknown. */
  readonly digest: DigestAlgorithm | undefined;
  readonly signer: { readonly subject: string; readonly serial: string; readonly certificate: Uint8Array } | undefined;
  readonly serial: string | undefined;
  readonly policy: string | undefined;
  readonly chain: ChainValidationResult | undefined;
  readonly problems: readonly string[];
}

interface Attribute {
  readonly oid: string;
  readonly first: asn1js.AsnType | undefined;
}

/** The parts of the token's SignedData the checks need, with every element as its original bytes. */
interface ParsedToken {
  readonly certificates: readonly Uint8Array[];
  readonly sid: asn1js.AsnType | undefined;
  readonly digestOid: string;
  /** The signed attributes' DER as sent (tag [0]) and their first values. */
  readonly signedAttrs: { readonly der: Uint8Array; readonly attributes: readonly Attribute[] } | undefined;
  readonly signature: Uint8Array;
  readonly eContent: Uint8Array;
  readonly tstInfo: pkijs.TSTInfo;
}

type Node = asn1js.AsnType & {
  valueBlock: { value?: Node[] };
  idBlock: { tagClass: number; tagNumber: number };
  valueBeforeDecodeView: Uint8Array;
};

// The SignedData is walked with plain asn1js instead of pkijs' schema matching (which, cold, cost
// more than the rest of a verification), and no certificate is re-encoded.
const kids = (n: Node | undefined, what: string): Node[] => {
  if (!Array.isArray(n?.valueBlock.value)) throw new Error(`malformed ${what}`);
  return n.valueBlock.value;
};
const isContext = (n: Node | undefined, tag: number): boolean =>
  n?.idBlock.tagClass === 3 && n.idBlock.tagNumber === tag;
const oidOf = (n: Node | undefined, what: string): string => {
  if (!(n instanceof asn1js.ObjectIdentifier)) throw new Error(`malformed ${what}`);
  return n.valueBlock.toString();
};
const octetsOf = (n: Node | undefined, what: string): Uint8Array => {
  if (!(n instanceof asn1js.OctetString)) throw new Error(`malformed ${what}`);
  return new Uint8Array(n.valueBlock.isConstructed ? n.getValue() : n.valueBlock.valueHexView);
};

function parseToken(tokenDer: Uint8Array): ParsedToken {
  const [contentType, wrapped] = kids(parseDer(tokenDer, 'TimeStampToken') as Node, 'ContentInfo');
  if (oidOf(contentType, 'content type') !== OID.signedData) throw new Error('not a CMS SignedData');
  const sd = kids(kids(wrapped, 'content')[0], 'SignedData');
  const [eType, eWrapped] = kids(sd[2], 'encapContentInfo');
  if (oidOf(eType, 'eContentType') !== OID.tstInfo) throw new Error('content is not a TSTInfo');
  const signerInfos = kids(sd[sd.length - 1], 'signerInfos');
  if (!eWrapped || signerInfos.length !== 1) throw new Error('expected one signer and a TSTInfo');
  const eContent = octetsOf(kids(eWrapped, 'eContent')[0], 'eContent');
  const certificates = sd
    .filter((n) => isContext(n, 0))
    .flatMap((n) => kids(n, 'certificates'))
    .filter((n) => n instanceof asn1js.Sequence)
    .map((n) => new Uint8Array(n.valueBeforeDecodeView));
  const si = kids(signerInfos[0], 'SignerInfo');
  const signedNode = si.find((n) => isContext(n, 0));
  const signedAttrs = signedNode && {
    der: new Uint8Array(signedNode.valueBeforeDecodeView),
    attributes: kids(signedNode, 'signed attributes').map((a) => {
      const [type, values] = kids(a, 'attribute');
      return { oid: oidOf(type, 'attribute type'), first: kids(values, 'attribute values')[0] };
    }),
  };
  return {
    certificates,
    sid: si[1],
    digestOid: oidOf(kids(si[2], 'digestAlgorithm')[0], 'digest algorithm'),
    signedAttrs,
    signature: octetsOf(
      si.find((n, i) => i > 2 && n instanceof asn1js.OctetString),
      'signature',
    ),
    eContent,
    tstInfo: new pkijs.TSTInfo({ schema: parseDer(eContent, 'TSTInfo') }),
  };
}

function matchesSid(cert: CertificateFacts, sid: asn1js.AsnType | undefined): boolean {
  if (sid instanceof asn1js.Sequence) {
    const [issuer, serial] = sid.valueBlock.value;
    return (
      issuer !== undefined &&
      serial instanceof asn1js.Integer &&
      equalBytes(cert.issuerDer, new Uint8Array(issuer.valueBeforeDecodeView)) &&
      cert.serial === integerHex(serial)
    );
  }
  // [0] SubjectKeyIdentifier, implicitly tagged.
  const ski = sid as Node | undefined;
  return (
    isContext(ski, 0) &&
    cert.subjectKeyId === Buffer.from((ski as unknown as asn1js.Primitive).valueBlock.valueHexView).toString('hex')
  );
}

function attribute(token: ParsedToken, oid: string): asn1js.AsnType | undefined {
  return token.signedAttrs?.attributes.find((a) => a.oid === oid)?.first;
}

function checkImprint(tst: pkijs.TSTInfo, o: VerifyTimeStampOptions): boolean | undefined {
  const digest = digestFromOid(tst.messageImprint.hashAlgorithm.algorithmId);
  const imprint = new Uint8Array(tst.messageImprint.hashedMessage.valueBlock.valueHexView);
  if (o.data) return digest !== undefined && equalBytes(digestOf(digest, o.data), imprint);
  if (o.hash) return (o.digest === undefined || o.digest === digest) && equalBytes(o.hash, imprint);
  return undefined;
}

function checkSignerInfo(token: ParsedToken, cert: CertificateFacts): string[] {
  const problems: string[] = [];
  const digest = digestFromOid(token.digestOid);
  if (!digest || !token.signedAttrs) return ['unsupported digest algorithm or no signed attributes'];
  const contentType = attribute(token, OID.contentType);
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== OID.tstInfo) {
    problems.push('contentType attribute is not id-ct-TSTInfo');
  }
  const messageDigest = attribute(token, OID.messageDigest);
  if (
    !(messageDigest instanceof asn1js.OctetString) ||
    !equalBytes(new Uint8Array(messageDigest.valueBlock.valueHexView), digestOf(digest, token.eContent))
  ) {
    problems.push('messageDigest does not match the TSTInfo');
  }
  const essCert = attribute(token, OID.signingCertificateV2);
  if (!essCert || !signingCertificateV2Matches(essCert, cert.der))
    problems.push('signingCertificateV2 does not name the TSA certificate');
  // Verified over the attributes exactly as they were encoded, re-tagged as a SET OF.
  const signedBytes = token.signedAttrs.der.slice();
  signedBytes[0] = 0x31;
  if (!verify(nodeDigestName(digest), signedBytes, cert.publicKey, token.signature))
    problems.push('the TSA signature does not verify');
  if (
    !cert.extendedKeyUsage.includes(OID.timeStamping) ||
    !cert.extendedKeyUsageCritical ||
    cert.extendedKeyUsage.length !== 1
  ) {
    problems.push('the signer certificate is not a TSA certificate (critical extKeyUsage timeStamping only)');
  }
  return problems;
}

export function verifyTimeStampToken(tokenDer: Uint8Array, o: VerifyTimeStampOptions): TimeStampVerification {
  let token: ParsedToken;
  try {
    token = parseToken(tokenDer);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      valid: false,
      time: undefined,
      hashMatches: undefined,
      digest: undefined,
      signer: undefined,
      serial: undefined,
      policy: undefined,
      chain: undefined,
      problems: [`unreadable time-stamp token: ${reason}`],
    };
  }
  const { tstInfo } = token;
  const time = tstInfo.genTime;
  const hashMatches = checkImprint(tstInfo, o);
  const problems: string[] = hashMatches === false ? ['the time-stamp is for other data (messageImprint differs)'] : [];
  const candidates = [...token.certificates, ...(o.intermediates ?? [])].flatMap((der) => {
    try {
      return [certificateFacts(der)];
    } catch {
      return [];
    }
  });
  const cert = candidates.find((c) => matchesSid(c, token.sid));
  const digest = digestFromOid(tstInfo.messageImprint.hashAlgorithm.algorithmId);
  const base = { time, hashMatches, digest, serial: integerHex(tstInfo.serialNumber), policy: tstInfo.policy };
  if (!cert)
    return {
      ...base,
      valid: false,
      signer: undefined,
      chain: undefined,
      problems: [...problems, 'the TSA certificate is not available'],
    };
  problems.push(...checkSignerInfo(token, cert));
  const chain = validateCertificateChain({
    leaf: cert.der,
    intermediates: candidates.map((c) => c.der),
    trustAnchors: o.trustAnchors,
    crls: o.crls ?? [],
    at: time,
  });
  problems.push(...chain.problems);
  return {
    ...base,
    valid: problems.length === 0 && chain.trusted && !chain.revoked,
    signer: { subject: cert.subject, serial: cert.serial, certificate: cert.der },
    chain,
    problems,
  };
}
