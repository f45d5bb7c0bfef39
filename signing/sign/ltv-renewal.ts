// Long-term validation renewal (PAdES-LTA): an archived PDF keeps its evidence only while its last
// time-stamp can be checked. Before that timestamp's TSA certificate runs out, or the hash binding
// it to the document stops being trusted, a fresh DSS (current certificates and revocation data)
// and a new document timestamp are appended, covering everything before them, earlier timestamps
// included. Pure: the caller decides when (policy) and supplies the TSA and the validation material.
import { certificateFacts } from '../../certs/certificate-facts.js';
import { verifyTimeStampToken } from '../../certs/tsa/verify-timestamp.js';
import type { DigestAlgorithm, TimeStamper } from '../../certs/types.js';
import { checkSignedData } from '../cms/check-signed-data.js';
import { PdfReader } from '../pdf/PdfReader.js';
import { readSignatures } from '../verify/read-signatures.js';
import { dssMaterial } from '../verify/verify-pdf.js';
import { addDocumentTimestamp } from './document-timestamp.js';
import { addDss } from './dss.js';
import type { ValidationMaterial } from './options.js';

const DAY_MS = 86_400_000;

/** The latest time-stamp of a PDF: what its long-term validity hangs on. */
export interface TimestampFacts {
  /** The signature field that carries it. */
  readonly field: string;
  /** A /DocTimeStamp, or the signature time-stamp inside a CMS signature. */
  readonly kind: 'document-timestamp' | 'signature-timestamp';
  readonly time: string;
  /** The messageImprint's hash; undefined when the token names one we do not know. */
  readonly digest: DigestAlgorithm | undefined;
  /** The TSA certificate, when the token or the DSS carries it. */
  readonly tsa: { readonly name: string; readonly notAfter: string; readonly certificate: Uint8Array } | undefined;
}

/** A hash algorithm expected to stop being trusted at `endsAt` (ISO date). */
export interface WeakeningAlgorithm {
  readonly algorithm: DigestAlgorithm;
  readonly endsAt: string;
}

export interface RenewalPolicy {
  readonly now: Date;
  /** Renew this many days before the TSA certificate's end or the algorithm's. */
  readonly marginDays: number;
  readonly weakening: readonly WeakeningAlgorithm[];
}

export type RenewalReason = 'tsa_certificate_expiring' | 'algorithm_weakening';

const DIGESTS: readonly DigestAlgorithm[] = ['SHA-256', 'SHA-384', 'SHA-512'];

/** The latest time-stamp (by position in the file), or undefined for a PDF without any. */
export function lastTimestamp(pdf: Uint8Array, options: { maxBytes?: number } = {}): TimestampFacts | undefined {
  const reader = PdfReader.open(pdf, { maxBytes: options.maxBytes });
  const dss = dssMaterial(reader);
  for (const found of readSignatures(reader).reverse()) {
    let token: Uint8Array | undefined;
    try {
      token = found.isDocumentTimestamp
        ? found.der
        : found.parts && checkSignedData(found.der, found.parts).timestampToken;
    } catch {
      continue;
    }
    if (!token) continue;
    const ts = verifyTimeStampToken(token, { trustAnchors: [], intermediates: dss.certificates });
    if (!ts.time) continue;
    const cert = ts.signer ? certificateFacts(ts.signer.certificate) : undefined;
    return {
      field: found.field,
      kind: found.isDocumentTimestamp ? 'document-timestamp' : 'signature-timestamp',
      time: ts.time.toISOString(),
      digest: ts.digest,
      tsa: cert && {
        name: /(?:^|, )CN=([^,]+)/.exec(cert.subject)?.[1] ?? cert.subject,
        notAfter: cert.notAfter.toISOString(),
        certificate: cert.der,
      },
    };
  }
  return undefined;
}

/** Why the timestamp must be renewed now under the policy, or undefined while it holds. */
export function renewalReason(ts: TimestampFacts, policy: RenewalPolicy): RenewalReason | undefined {
  const horizon = policy.now.getTime() + policy.marginDays * DAY_MS;
  // A token whose TSA certificate is not at hand cannot be checked later either: renew it.
  if (!ts.tsa || Date.parse(ts.tsa.notAfter) <= horizon) return 'tsa_certificate_expiring';
  const weak = policy.weakening.find((w) => w.algorithm === ts.digest);
  if (!ts.digest || (weak && Date.parse(weak.endsAt) <= horizon)) return 'algorithm_weakening';
  return undefined;
}

/** The first hash not weakening within the policy's horizon: what a renewal timestamp uses. */
export function renewalDigest(policy: RenewalPolicy): DigestAlgorithm {
  const horizon = policy.now.getTime() + policy.marginDays * DAY_MS;
  const usable = DIGESTS.find(
    (d) => !policy.weakening.some((w) => w.algorithm === d && Date.parse(w.endsAt) <= horizon),
  );
  if (!usable) throw new RangeError('every supported hash algorithm is weakening within the renewal margin');
  return usable;
}

export interface RenewLtvOptions {
  /** Current CA certificates and CRLs (the issuers' fresh revocation data). */
  readonly validation: ValidationMaterial;
  readonly timeStamper: TimeStamper;
  readonly digest?: DigestAlgorithm;
  readonly maxBytes?: number;
}

/**
 * Appends a DSS revision with the validation material (plus the previous timestamp's TSA
 * certificate, so that timestamp stays checkable) and a new document timestamp over all of it.
 */
export async function renewLtv(pdf: Uint8Array, o: RenewLtvOptions): Promise<Uint8Array> {
  const previous = lastTimestamp(pdf, { maxBytes: o.maxBytes })?.tsa?.certificate;
  const withDss = await addDss(
    pdf,
    {
      certificates: [...o.validation.certificates, ...(previous ? [previous] : [])],
      crls: o.validation.crls,
    },
    { maxBytes: o.maxBytes },
  );
  return addDocumentTimestamp(withDss, o.timeStamper, { digest: o.digest, maxBytes: o.maxBytes });
}
