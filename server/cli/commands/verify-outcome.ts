// One file of a `tongban verify` batch checked into a row of the table and a JSON line. Its own
// module because the batch's worker threads (verify-pool.ts) run it too.
import { statSync } from 'node:fs';
import { reportJson, verifyPdf, type SignatureReport, type VerificationReport } from '../../../signing/index.js';
import { CliError } from '../command.js';
import { asCliError, readInputFile } from './pdf-input.js';

export interface TrustMaterial {
  trustAnchors: Uint8Array[];
  intermediates: Uint8Array[];
  crls: Uint8Array[];
}

export const signatureOk = (s: SignatureReport) => s.intact && s.trusted && !s.revoked && !s.modifiedAfter;

export type Kind = 'pdf' | 'evidence';

export interface Input {
  readonly file: string;
  readonly kind: Kind;
}

/** One file's outcome: a row of the table and a JSON line. */
export interface Outcome {
  readonly file: string;
  readonly kind: Kind;
  readonly valid: boolean;
  /** Signatures in the PDF; in a package, the signatures its manifest lists; null when unreadable. */
  readonly signatures: number | null;
  /** Why it does not hold (empty when valid). */
  readonly reason: string;
  readonly json: Record<string, unknown>;
}

function problemOf(s: SignatureReport): string {
  const facts = [
    !s.intact && 'not intact',
    !s.trusted && 'not trusted',
    s.revoked && 'revoked',
    s.modifiedAfter && 'modified after signing',
  ].filter(Boolean);
  return `${s.field}: ${facts.join(', ')}`;
}

export function pdfOutcome(file: string, trust: TrustMaterial, limit: number): Outcome {
  let report: VerificationReport;
  try {
    report = verifyPdf(readInputFile(file, limit), { ...trust, maxBytes: limit });
  } catch (err) {
    const e = asCliError(err, file);
    if (!(e instanceof CliError)) throw e;
    const reason = e.message.startsWith(`${file}: `) ? e.message.slice(file.length + 2) : e.message;
    return { file, kind: 'pdf', valid: false, signatures: null, reason, json: { valid: false, error: reason } };
  }
  const reason = report.valid
    ? ''
    : report.signatures.length
      ? report.signatures
          .filter((s) => !signatureOk(s))
          .map(problemOf)
          .join('; ')
      : 'no signatures';
  return {
    file,
    kind: 'pdf',
    valid: report.valid,
    signatures: report.signatures.length,
    reason,
    json: reportJson(report) as Record<string, unknown>,
  };
}

export async function evidenceOutcome(file: string, anchors: readonly Uint8Array[]): Promise<Outcome> {
  const { defaultZipLimits, evidenceChecks, verifyEvidencePackage } = await import('../../features/evidence/index.js');
  const fail = (reason: string): Outcome => ({
    file,
    kind: 'evidence',
    valid: false,
    signatures: null,
    reason,
    json: { valid: false, error: reason },
  });
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return fail('cannot read the file');
  }
  if (size > defaultZipLimits.maxTotalBytes) return fail(`larger than ${defaultZipLimits.maxTotalBytes} bytes`);
  if (!anchors.length) return fail('no trust anchor: pass --trust ROOT.pem (or --data DIR of the issuing platform)');
  const report = await verifyEvidencePackage({ path: file }, anchors, evidenceChecks);
  const documents = report.manifest?.documents;
  return {
    file,
    kind: 'evidence',
    valid: report.valid,
    signatures: documents ? documents.reduce((n, d) => n + d.signers.length, 0) : null,
    reason: report.problems.map((p) => `${p.file}: ${p.message}`).join('; '),
    json: { valid: report.valid, problems: report.problems, checked: report.checked },
  };
}

export function outcomeOf(input: Input, trust: TrustMaterial, limit: number): Promise<Outcome> {
  return input.kind === 'pdf'
    ? Promise.resolve().then(() => pdfOutcome(input.file, trust, limit))
    : evidenceOutcome(input.file, trust.trustAnchors);
}
