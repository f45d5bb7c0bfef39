// PAdES verification of every signature and document timestamp in a PDF.
import { createHash } from 'node:crypto';
import { certificateFacts } from '../../certs/certificate-facts.js';
import { validateCertificateChain } from '../../certs/chain-validation.js';
import { verifyTimeStampToken } from '../../certs/tsa/verify-timestamp.js';
import { checkSignedData, type SignedDataCheck } from '../cms/check-signed-data.js';
import { isName, PdfStream, type PdfDict } from '../pdf/objects.js';
import { PdfReader } from '../pdf/PdfReader.js';
import { decodeStream } from '../pdf/stream-data.js';
import { modifiedAfter } from './modifications.js';
import { readSignatures, type FoundSignature } from './read-signatures.js';
import type { SignatureLevel, SignatureReport, VerificationReport } from './report.js';

export interface VerifyPdfOptions {
  readonly trustAnchors: readonly Uint8Array[];
  readonly intermediates?: readonly Uint8Array[];
  readonly crls?: readonly Uint8Array[];
  /** Validation time when a signature has no valid time-stamp (default: the current time). */
  readonly now?: Date;
  readonly maxBytes?: number;
}

interface Material {
  readonly intermediates: readonly Uint8Array[];
  readonly crls: readonly Uint8Array[];
  readonly trustAnchors: readonly Uint8Array[];
}

/** Each DER once: every certificate given to chain validation is parsed again there. */
function unique(items: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  return items.filter((der) => {
    const key = createHash('sha256').update(der).digest('hex');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The certificates and CRLs of the document security store (none without one). */
export function dssMaterial(reader: PdfReader): { certificates: Uint8Array[]; crls: Uint8Array[] } {
  const dss = reader.dict(reader.catalog().get('DSS'));
  const streams = (key: string): Uint8Array[] => {
    const list = reader.resolve(dss?.get(key));
    return Array.isArray(list)
      ? list.map((r) => reader.resolve(r)).flatMap((s) => (s instanceof PdfStream ? [decodeStream(s)] : []))
      : [];
  };
  return { certificates: streams('Certs'), crls: streams('CRLs') };
}

function describe(der: Uint8Array | undefined): SignatureReport['signer'] {
  if (!der) return null;
  try {
    const f = certificateFacts(der);
    const cn = (dn: string): string => /(?:^|, )CN=([^,]+)/.exec(dn)?.[1] ?? dn;
    return { name: cn(f.subject), serial: f.serial, issuer: cn(f.issuer) };
  } catch {
    return null;
  }
}

/** The DocMDP permission of a certifying signature (1, 2 or 3), or undefined. */
function docMdpPermission(sig: PdfDict, reader: PdfReader): number | undefined {
  const refs = reader.resolve(sig.get('Reference'));
  if (!Array.isArray(refs)) return undefined;
  for (const r of refs) {
    const d = reader.dict(r);
    if (d && isName(d.get('TransformMethod'), 'DocMDP')) {
      const p = reader.dict(d.get('TransformParams'))?.get('P');
      return typeof p === 'number' ? p : 2;
    }
  }
  return undefined;
}

function verifyDocumentTimestamp(
  found: FoundSignature,
  m: Material,
  problems: string[],
): Omit<SignatureReport, 'field' | 'coversWholeDocument' | 'modifiedAfter' | 'problems'> {
  let cms: SignedDataCheck | undefined;
  try {
    cms = checkSignedData(found.der);
  } catch (err) {
    problems.push(`unreadable time-stamp token: ${(err as Error).message}`);
  }
  const data = found.parts ? Buffer.concat(found.parts) : undefined;
  const ts = verifyTimeStampToken(found.der, {
    data,
    trustAnchors: m.trustAnchors,
    intermediates: m.intermediates,
    crls: m.crls,
  });
  problems.push(...ts.problems);
  const intact = !!cms?.signatureValid && ts.hashMatches === true && !!found.parts;
  return {
    signer: describe(ts.signer?.certificate),
    intact,
    trusted: !!ts.chain?.trusted,
    revoked: !!ts.chain?.revoked,
    level: 'document-timestamp',
    timestamp: ts.time ? { time: ts.time.toISOString(), valid: ts.valid } : null,
  };
}

function verifyCmsSignature(
  found: FoundSignature,
  m: Material,
  now: Date,
  problems: string[],
): Omit<SignatureReport, 'field' | 'coversWholeDocument' | 'modifiedAfter' | 'problems'> & { hasToken: boolean } {
  let cms: SignedDataCheck | undefined;
  try {
    if (found.parts) cms = checkSignedData(found.der, found.parts);
  } catch (err) {
    problems.push(`unreadable CMS signature: ${(err as Error).message}`);
  }
  if (cms && !cms.digestMatches) problems.push('the signed bytes do not match the message digest');
  else if (cms && !cms.signatureValid) problems.push('the CMS signature does not verify');
  if (cms?.signedAttributeOids.includes('1.2.840.113549.1.9.5') && found.subFilter === 'ETSI.CAdES.detached')
    problems.push('PAdES signature carries a signingTime attribute');
  let timestamp: SignatureReport['timestamp'] = null;
  let at = now;
  if (cms?.timestampToken) {
    const ts = verifyTimeStampToken(cms.timestampToken, {
      data: cms.signatureValue,
      trustAnchors: m.trustAnchors,
      intermediates: m.intermediates,
      crls: m.crls,
    });
    if (ts.time) timestamp = { time: ts.time.toISOString(), valid: ts.valid };
    if (ts.valid && ts.time) at = ts.time;
    else problems.push(...ts.problems.map((p) => `signature time-stamp: ${p}`));
  }
  let trusted = false;
  let revoked = false;
  if (cms?.signerCertificate) {
    const chain = validateCertificateChain({
      leaf: cms.signerCertificate,
      intermediates: unique([...m.intermediates, ...cms.certificates]),
      trustAnchors: m.trustAnchors,
      crls: m.crls,
      at,
    });
    trusted = chain.trusted;
    revoked = chain.revoked;
    problems.push(...chain.problems);
  } else if (cms) problems.push('the signer certificate is not in the signature');
  const level: SignatureLevel =
    found.subFilter === 'ETSI.CAdES.detached' ? (cms?.timestampToken ? 'B-T' : 'B-B') : 'none';
  return {
    signer: describe(cms?.signerCertificate),
    intact: !!cms?.signatureValid,
    trusted,
    revoked,
    level,
    timestamp,
    hasToken: !!cms?.timestampToken,
  };
}

export function verifyPdf(pdf: Uint8Array, o: VerifyPdfOptions): VerificationReport {
  const reader = PdfReader.open(pdf, { maxBytes: o.maxBytes });
  const dss = dssMaterial(reader);
  const m: Material = {
    trustAnchors: o.trustAnchors,
    intermediates: unique([...(o.intermediates ?? []), ...dss.certificates]),
    crls: unique([...(o.crls ?? []), ...dss.crls]),
  };
  const now = o.now ?? new Date();
  const found = readSignatures(reader);
  const dssVri = reader.dict(reader.dict(reader.catalog().get('DSS'))?.get('VRI'));
  const hasDss = dss.certificates.length > 0 || dss.crls.length > 0;
  const certified = found.find((f) => docMdpPermission(f.sig, reader) !== undefined);
  const certifiedP = certified ? docMdpPermission(certified.sig, reader) : undefined;

  const signatures = found.map((f): SignatureReport => {
    const problems = [...f.problems];
    const base = f.isDocumentTimestamp
      ? verifyDocumentTimestamp(f, m, problems)
      : verifyCmsSignature(f, m, now, problems);
    let level = base.level;
    if (level === 'B-T' && hasDss) {
      const vriKey = createHash('sha1').update(f.contents).digest('hex').toUpperCase();
      const ltaAfter = found.some((g) => g.isDocumentTimestamp && g.revisionEnd > f.revisionEnd);
      if (dssVri?.has(vriKey) || !dssVri) level = ltaAfter ? 'B-LTA' : 'B-LT';
    }
    const policy = { allowSignatures: !(certifiedP === 1 && certified && certified.revisionEnd <= f.revisionEnd) };
    const changed = modifiedAfter(reader, f.revisionEnd, policy);
    if (changed) problems.push('the document was changed after this signature');
    const intact = base.intact && f.problems.length === 0;
    const { hasToken: _hasToken, ...rest } = base as typeof base & { hasToken?: boolean };
    return {
      field: f.field,
      ...rest,
      intact,
      level,
      coversWholeDocument: f.revisionEnd === pdf.length,
      modifiedAfter: changed,
      problems,
    };
  });
  const valid =
    signatures.length > 0 && signatures.every((s) => s.intact && s.trusted && !s.revoked && !s.modifiedAfter);
  return { valid, signatures };
}
