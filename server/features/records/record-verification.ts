// The checks of one record, as the record page shows them: every document's signatures against the
// platform's trust, and the recording's chain and seal. The batch verification reduces the same
// result to a row; there is no second verifier.
import type { RecordVerificationRow } from '../../../protocol/http/records.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import { signingProgress, verifyWithPlatformTrust } from '../documents/index.js';
import type { RecordingService } from '../recording/index.js';
import type { RecordParts } from './RecordService.js';

export interface RecordVerificationDeps {
  readonly blobs: BlobStore;
  readonly pki: SigningPki;
  readonly recording: RecordingService;
}

export async function verifyRecord(deps: RecordVerificationDeps, parts: RecordParts) {
  const documents = await Promise.all(
    parts.documents.map(async (d) => ({
      id: d.id,
      kind: d.kind,
      title: d.title,
      sha256: d.currentSha256,
      checkpoint: d.checkpoint,
      ...signingProgress(d),
      verification: await verifyWithPlatformTrust(deps.pki, await deps.blobs.get(d.currentSha256)),
    })),
  );
  const recording = parts.record.sessionId ? await deps.recording.integrity(parts.record.sessionId) : null;
  return { documents, recording };
}

export type RecordChecks = Awaited<ReturnType<typeof verifyRecord>>;

/** A record's checks as one row: valid when it has documents, each valid, and its recording (if any) holds. */
export function verificationRow(parts: RecordParts, checks: RecordChecks): RecordVerificationRow {
  const { record } = parts;
  const problems: string[] = [];
  if (!checks.documents.length) problems.push('no documents');
  for (const d of checks.documents) {
    const v = d.verification;
    if (!v.signatures.length) problems.push(`${d.title}: no signatures`);
    for (const s of v.signatures.filter((s) => s.problems.length))
      problems.push(`${d.title}: ${s.field}: ${s.problems.join(', ')}`);
    if (!v.valid && v.signatures.length && v.signatures.every((s) => !s.problems.length))
      problems.push(`${d.title}: not valid`);
  }
  const rec = checks.recording;
  if (rec && !rec.valid)
    problems.push(
      `recording: ${rec.problems.length ? rec.problems.join(', ') : `${rec.status}, seal ${rec.seal.state}`}`,
    );
  const signaturesValid = checks.documents.length > 0 && checks.documents.every((d) => d.verification.valid);
  return {
    recordId: record.id,
    number: record.number,
    kind: record.kind,
    title: record.title,
    archivedAt: record.archivedAt,
    documents: checks.documents.length,
    signatures: checks.documents.reduce((n, d) => n + d.verification.signatures.length, 0),
    signaturesValid,
    recording: rec ? (rec.valid ? 'valid' : 'invalid') : 'none',
    valid: signaturesValid && (rec?.valid ?? true),
    problems,
  };
}
