// Path building and validation for our small hierarchies (RFC 5280 §6, the parts that matter
// here): signatures up to a trust anchor, validity at a given time, CA constraints of issuers,
// and revocation from the CRLs the caller supplies (no network fetching: certs/ is pure).
import { certificateFacts, type CertificateFacts } from './certificate-facts.js';
import { parseCrl, type ParsedCrl, type RevocationReason } from './crl.js';
import { equalBytes } from './encoding.js';

const MAX_DEPTH = 6;

export interface ChainValidationInput {
  readonly leaf: Uint8Array;
  readonly intermediates?: readonly Uint8Array[];
  readonly trustAnchors: readonly Uint8Array[];
  readonly crls?: readonly Uint8Array[];
  /** The time the chain must be valid at (the signing/timestamp time, or now). */
  readonly at: Date;
}

export interface RevocationInfo {
  readonly reason: RevocationReason;
  readonly date: Date;
  /** Serial of the revoked certificate (the leaf or a CA above it). */
  readonly serial: string;
  /** True when the revocation happened after `at`: the chain was good at `at`. */
  readonly afterValidationTime: boolean;
}

export interface ChainValidationResult {
  /** A path to an anchor exists and every certificate on it was valid and correctly constrained at `at`. Revocation is reported separately. */
  readonly trusted: boolean;
  /** DER of the path, leaf first, anchor last (as far as it could be built). */
  readonly chain: readonly Uint8Array[];
  /** A certificate on the path was revoked at or before `at`. */
  readonly revoked: boolean;
  readonly revocation?: RevocationInfo;
  /** True when a CRL from the right issuer covered every non-anchor certificate on the path. */
  readonly revocationChecked: boolean;
  /** Why `trusted` is false or `revoked` true, and any input that was ignored as unreadable. */
  readonly problems: readonly string[];
}

function issues(issuer: CertificateFacts, child: CertificateFacts): boolean {
  if (!equalBytes(issuer.subjectDer, child.issuerDer)) return false;
  if (issuer.subjectKeyId && child.authorityKeyId && issuer.subjectKeyId !== child.authorityKeyId) return false;
  return child.x509.verify(issuer.publicKey);
}

function buildPath(leaf: CertificateFacts, pool: readonly CertificateFacts[], anchors: readonly CertificateFacts[]) {
  const path = [leaf];
  if (anchors.some((a) => equalBytes(a.der, leaf.der))) return { path, anchored: true };
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const current = path[path.length - 1]!;
    const anchor = anchors.find((a) => issues(a, current));
    if (anchor) {
      if (!equalBytes(anchor.der, current.der)) path.push(anchor);
      return { path, anchored: true };
    }
    const next = pool.find((c) => !path.some((p) => equalBytes(p.der, c.der)) && issues(c, current));
    if (!next) break;
    path.push(next);
  }
  return { path, anchored: false };
}

function checkPath(path: readonly CertificateFacts[], at: Date): string[] {
  const problems: string[] = [];
  path.forEach((cert, index) => {
    if (at < cert.notBefore) problems.push(`certificate ${cert.subject} is not yet valid at ${at.toISOString()}`);
    if (at > cert.notAfter) problems.push(`certificate ${cert.subject} had expired at ${at.toISOString()}`);
    for (const oid of cert.unknownCriticalExtensions)
      problems.push(`certificate ${cert.subject} has an unknown critical extension ${oid}`);
    if (index === 0) return;
    if (!cert.isCa) problems.push(`issuer ${cert.subject} is not a CA (basicConstraints)`);
    if (cert.keyUsage && !cert.keyUsage.has('keyCertSign'))
      problems.push(`issuer ${cert.subject} may not sign certificates (keyUsage)`);
    const intermediatesBelow = index - 1;
    if (cert.pathLength !== undefined && intermediatesBelow > cert.pathLength) {
      problems.push(`path length constraint of ${cert.subject} exceeded`);
    }
  });
  return problems;
}

interface RevocationOutcome {
  readonly info?: RevocationInfo;
  readonly checked: boolean;
}

function checkRevocation(path: readonly CertificateFacts[], crls: readonly ParsedCrl[], at: Date): RevocationOutcome {
  let checked = true;
  let info: RevocationInfo | undefined;
  // Every certificate but the anchor at the top of the path is checked against its issuer's CRL.
  for (let i = 0; i < path.length - 1; i++) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    const crl = crls.find((c) => equalBytes(c.issuerDer, cert.issuerDer) && c.verifySignature(issuer.publicKey));
    if (!crl) {
      checked = false;
      continue;
    }
    const entry = crl.entries.find((e) => e.serial === cert.serial);
    if (entry && (!info || info.afterValidationTime)) {
      info = { reason: entry.reason, date: entry.date, serial: cert.serial, afterValidationTime: entry.date > at };
    }
  }
  return { info, checked };
}

function parseAll(list: readonly Uint8Array[], what: string, problems: string[]): CertificateFacts[] {
  return list.flatMap((der) => {
    try {
      return [certificateFacts(der)];
    } catch {
      problems.push(`an unreadable ${what} was ignored`);
      return [];
    }
  });
}

export function validateCertificateChain(input: ChainValidationInput): ChainValidationResult {
  const problems: string[] = [];
  let leaf: CertificateFacts;
  try {
    leaf = certificateFacts(input.leaf);
  } catch {
    return {
      trusted: false,
      chain: [input.leaf],
      revoked: false,
      revocationChecked: false,
      problems: ['the certificate is unreadable'],
    };
  }
  const anchors = parseAll(input.trustAnchors, 'trust anchor', problems);
  const pool = parseAll(input.intermediates ?? [], 'intermediate certificate', problems);
  const crls = (input.crls ?? []).flatMap((der) => {
    try {
      return [parseCrl(der)];
    } catch {
      problems.push('an unreadable CRL was ignored');
      return [];
    }
  });

  const { path, anchored } = buildPath(leaf, pool, anchors);
  const pathProblems = checkPath(path, input.at);
  if (!anchored) pathProblems.push(`no path from ${leaf.subject} to a trust anchor`);
  const revocation = checkRevocation(path, crls, input.at);
  const revoked = revocation.info !== undefined && !revocation.info.afterValidationTime;
  const revokedProblem = revoked
    ? [`certificate ${revocation.info!.serial} was revoked (${revocation.info!.reason})`]
    : [];
  return {
    trusted: anchored && pathProblems.length === 0,
    chain: path.map((c) => c.der),
    revoked,
    ...(revocation.info ? { revocation: revocation.info } : {}),
    revocationChecked: revocation.checked,
    problems: [...problems, ...pathProblems, ...revokedProblem],
  };
}
