// Independent check of an RFC 3161 TimeStampToken: imprint, CMS signature over the signed
// attributes, messageDigest over the TSTInfo, ESS certificate binding, the TSA's extKeyUsage and
// its chain (valid and unrevoked at genTime).
import { verify } from 'node:crypto';
import { certificateFacts, type CertificateFacts } from '../certificate-facts.js';
import { validateCertificateChain, type ChainValidationResult } from '../chain-validation.js';
import { integerContentHex, readDerOrBer, type DerNode } from '../der-node.js';
import {
  childrenOf,
  isContextTag,
  isInteger,
  isOctetString,
  isOid,
  isSequence,
  octetStringOf,
  oidOf,
  timeOf,
} from '../der-values.js';
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
  readonly first: DerNode | undefined;
}

/** What the checks need of the TSTInfo. */
interface TstInfo {
  readonly policy: string;
  readonly imprintDigestOid: string;
  readonly imprint: Uint8Array;
  readonly serial: string;
  readonly genTime: Date;
}

/** The parts of the token's SignedData the checks need, with every element as its original bytes. */
interface ParsedToken {
  readonly certificates: readonly Uint8Array[];
  readonly sid: DerNode | undefined;
  readonly digestOid: string;
  /** The signed attributes' DER as sent (tag [0]) and their first values. */
  readonly signedAttrs: { readonly der: Uint8Array; readonly attributes: readonly Attribute[] } | undefined;
  readonly signature: Uint8Array;
  readonly eContent: Uint8Array;
  readonly tstInfo: TstInfo;
}

// The SignedData and TSTInfo are walked with the lazy DER reader (asn1js for BER) instead of
// pkijs' schema matching, which, cold, cost more than the rest of a verification; no certificate
// is re-encoded.
function readTstInfo(eContent: Uint8Array): TstInfo {
  return readDerOrBer(eContent, 'TSTInfo', tstInfoOf);
}

function tstInfoOf(root: DerNode): TstInfo {
  const [, policy, imprint, serial, genTime] = childrenOf(root, 'TSTInfo');
  const [algorithm, hashed] = childrenOf(imprint, 'messageImprint');
  if (!isInteger(serial)) throw new Error('malformed TSTInfo serialNumber');
  return {
    policy: oidOf(policy, 'TSTInfo policy'),
    imprintDigestOid: oidOf(childrenOf(algorithm, 'messageImprint algorithm')[0], 'messageImprint algorithm'),
    imprint: octetStringOf(hashed, 'messageImprint'),
    serial: integerContentHex(serial.octets()),
    genTime: timeOf(genTime, 'genTime'),
  };
}

function parseToken(tokenDer: Uint8Array): ParsedToken {
  return readDerOrBer(tokenDer, 'TimeStampToken', tokenOf);
}

function tokenOf(root: DerNode): ParsedToken {
  const [contentType, wrapped] = childrenOf(root, 'ContentInfo');
  if (oidOf(contentType, 'content type') !== OID.signedData) throw new Error('not a CMS SignedData');
  const sd = childrenOf(childrenOf(wrapped, 'content')[0], 'SignedData');
  const [eType, eWrapped] = childrenOf(sd[2], 'encapContentInfo');
  if (oidOf(eType, 'eContentType') !== OID.tstInfo) throw new Error('content is not a TSTInfo');
  const signerInfos = childrenOf(sd[sd.length - 1], 'signerInfos');
  if (!eWrapped || signerInfos.length !== 1) throw new Error('expected one signer and a TSTInfo');
  const eContent = new Uint8Array(octetStringOf(childrenOf(eWrapped, 'eContent')[0], 'eContent'));
  const certificates = sd
    .filter((n) => isContextTag(n, 0))
    .flatMap((n) => childrenOf(n, 'certificates'))
    .filter(isSequence)
    .map((n) => new Uint8Array(n.raw));
  const si = childrenOf(signerInfos[0], 'SignerInfo');
  const signedNode = si.find((n) => isContextTag(n, 0));
  const signedAttrs = signedNode && {
    der: new Uint8Array(signedNode.raw),
    attributes: childrenOf(signedNode, 'signed attributes').map((a) => {
      const [type, values] = childrenOf(a, 'attribute');
      return { oid: oidOf(type, 'attribute type'), first: childrenOf(values, 'attribute values')[0] };
    }),
  };
  return {
    certificates,
    sid: si[1],
    digestOid: oidOf(childrenOf(si[2], 'digestAlgorithm')[0], 'digest algorithm'),
    signedAttrs,
    signature: new Uint8Array(
      octetStringOf(
        si.find((n, i) => i > 2 && isOctetString(n)),
        'signature',
      ),
    ),
    eContent,
    tstInfo: readTstInfo(eContent),
  };
}

function matchesSid(cert: CertificateFacts, sid: DerNode | undefined): boolean {
  const issuerAndSerial = isSequence(sid) ? sid : undefined;
  if (issuerAndSerial) {
    const [issuer, serial] = issuerAndSerial.children();
    return (
      issuer !== undefined &&
      isInteger(serial) &&
      equalBytes(cert.issuerDer, issuer.raw) &&
      cert.serial === integerContentHex(serial.octets())
    );
  }
  // [0] SubjectKeyIdentifier, implicitly tagged.
  return isContextTag(sid, 0) && cert.subjectKeyId === Buffer.from(sid.octets()).toString('hex');
}

function attribute(token: ParsedToken, oid: string): DerNode | undefined {
  return token.signedAttrs?.attributes.find((a) => a.oid === oid)?.first;
}

function checkImprint(tst: TstInfo, o: VerifyTimeStampOptions): boolean | undefined {
  const digest = digestFromOid(tst.imprintDigestOid);
  if (o.data) return digest !== undefined && equalBytes(digestOf(digest, o.data), tst.imprint);
  if (o.hash) return (o.digest === undefined || o.digest === digest) && equalBytes(o.hash, tst.imprint);
  return undefined;
}

function checkSignerInfo(token: ParsedToken, cert: CertificateFacts): string[] {
  const problems: string[] = [];
  const digest = digestFromOid(token.digestOid);
  if (!digest || !token.signedAttrs) return ['unsupported digest algorithm or no signed attributes'];
  const contentType = attribute(token, OID.contentType);
  if (!isOid(contentType) || oidOf(contentType, 'contentType attribute') !== OID.tstInfo) {
    problems.push('contentType attribute is not id-ct-TSTInfo');
  }
  const messageDigest = attribute(token, OID.messageDigest);
  if (!isOctetString(messageDigest) || !equalBytes(messageDigest.octets(), digestOf(digest, token.eContent))) {
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
  const digest = digestFromOid(tstInfo.imprintDigestOid);
  const base = { time, hashMatches, digest, serial: tstInfo.serial, policy: tstInfo.policy };
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
