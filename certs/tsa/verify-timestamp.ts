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

interface ParsedToken {
  readonly signedData: pkijs.SignedData;
  readonly signerInfo: pkijs.SignerInfo;
  readonly eContent: Uint8Array;
  readonly tstInfo: pkijs.TSTInfo;
}

function parseToken(tokenDer: Uint8Array): ParsedToken {
  const info = new pkijs.ContentInfo({ schema: parseDer(tokenDer, 'TimeStampToken') });
  if (info.contentType !== OID.signedData) throw new Error('not a CMS SignedData');
  const signedData = new pkijs.SignedData({ schema: info.content });
  if (signedData.encapContentInfo.eContentType !== OID.tstInfo) throw new Error('content is not a TSTInfo');
  const content = signedData.encapContentInfo.eContent;
  const signerInfo = signedData.signerInfos[0];
  if (!content || !signerInfo || signedData.signerInfos.length !== 1)
    throw new Error('expected one signer and a TSTInfo');
  const eContent = new Uint8Array(content.getValue());
  return { signedData, signerInfo, eContent, tstInfo: new pkijs.TSTInfo({ schema: parseDer(eContent, 'TSTInfo') }) };
}

function matchesSid(cert: CertificateFacts, sid: unknown): boolean {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return (
      equalBytes(cert.issuerDer, new Uint8Array(sid.issuer.toSchema().toBER())) &&
      cert.serial === integerHex(sid.serialNumber)
    );
  }
  return (
    sid instanceof asn1js.OctetString && cert.subjectKeyId === Buffer.from(sid.valueBlock.valueHexView).toString('hex')
  );
}

function attribute(si: pkijs.SignerInfo, oid: string): asn1js.AsnType | undefined {
  return si.signedAttrs?.attributes.find((a) => a.type === oid)?.values[0];
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
  const si = token.signerInfo;
  const digest = digestFromOid(si.digestAlgorithm.algorithmId);
  if (!digest || !si.signedAttrs) return ['unsupported digest algorithm or no signed attributes'];
  const contentType = attribute(si, OID.contentType);
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== OID.tstInfo) {
    problems.push('contentType attribute is not id-ct-TSTInfo');
  }
  const messageDigest = attribute(si, OID.messageDigest);
  if (
    !(messageDigest instanceof asn1js.OctetString) ||
    !equalBytes(new Uint8Array(messageDigest.valueBlock.valueHexView), digestOf(digest, token.eContent))
  ) {
    problems.push('messageDigest does not match the TSTInfo');
  }
  const essCert = attribute(si, OID.signingCertificateV2);
  if (!essCert || !signingCertificateV2Matches(essCert, cert.der))
    problems.push('signingCertificateV2 does not name the TSA certificate');
  const signedBytes = new Uint8Array(si.signedAttrs.encodedValue);
  signedBytes[0] = 0x31;
  const signature = new Uint8Array(si.signature.valueBlock.valueHexView);
  if (!verify(nodeDigestName(digest), signedBytes, cert.publicKey, signature))
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
  const carried = (token.signedData.certificates ?? []).filter(
    (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
  );
  const candidates = [...carried.map((c) => new Uint8Array(c.toSchema().toBER())), ...(o.intermediates ?? [])].flatMap(
    (der) => {
      try {
        return [certificateFacts(der)];
      } catch {
        return [];
      }
    },
  );
  const cert = candidates.find((c) => matchesSid(c, token.signerInfo.sid));
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
