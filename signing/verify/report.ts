// The verification result, in the JSON shape of DESIGN §9 (plus `problems` for people).

export type SignatureLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA' | 'document-timestamp' | 'none';

export interface SignatureReport {
  readonly field: string;
  /** The signer's certificate (the TSA's for a document timestamp); null when it is missing. */
  readonly signer: { readonly name: string; readonly serial: string; readonly issuer: string } | null;
  /** ByteRange sane, digest matches, CMS signature verifies. */
  readonly intact: boolean;
  /** The signer's chain reaches a trust anchor and was valid at the timestamp time (else now). */
  readonly trusted: boolean;
  /** A certificate on the chain was revoked at or before that time (CRLs given + DSS). */
  readonly revoked: boolean;
  readonly level: SignatureLevel;
  /** The signature time-stamp (or the document timestamp itself); null without one. */
  readonly timestamp: { readonly time: string; readonly valid: boolean } | null;
  readonly coversWholeDocument: boolean;
  /** A later update changed more than later signatures, DSS and document timestamps may. */
  readonly modifiedAfter: boolean;
  /** Human-readable reasons for any false/true above that makes the signature not valid. */
  readonly problems: readonly string[];
}

export interface VerificationReport {
  /** At least one signature, and every one intact, trusted, unrevoked and not modified after. */
  readonly valid: boolean;
  readonly signatures: readonly SignatureReport[];
}

/** The documented JSON (without `problems`). */
export function reportJson(r: VerificationReport): unknown {
  return { valid: r.valid, signatures: r.signatures.map(({ problems: _problems, ...rest }) => rest) };
}
