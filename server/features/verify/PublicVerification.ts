// Public verification (issue 16 §1): checks an uploaded signed PDF or evidence zip with the
// verifiers the audit office uses (documents' platform-trust PDF check, evidence's package check)
// and answers whether the platform holds a document with a given hash. Nothing of an upload is
// kept: the bytes arrive in memory, are checked there and wiped; nothing is written or audited.
import { createHash } from 'node:crypto';
import { PdfError } from '../../../signing/errors.js';
import { PdfString } from '../../../signing/pdf/objects.js';
import { PdfReader } from '../../../signing/pdf/PdfReader.js';
import type { HashLookup, UploadVerification } from '../../../protocol/http/verify.js';
import { AppError, BadRequestError } from '../../kernel/errors.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';
import { verifyWithPlatformTrust, type DocumentStore } from '../documents/index.js';
import { evidenceChecks, verifyEvidencePackage } from '../evidence/index.js';
import { CHECKPOINT_INFO_KEY, checkpointSchema, type RecordingCheckpoint } from '../recording/index.js';
import type { RecordService } from '../records/index.js';

export interface PublicVerificationDeps {
  readonly pki: SigningPki;
  readonly documents: DocumentStore;
  readonly records: RecordService;
}

/** More revisions than this are not looked up one by one (each costs a hash copy). */
const MAX_REVISIONS = 64;

export class UnsupportedUploadError extends AppError {
  constructor() {
    super('verify_unsupported_file', 'upload a signed PDF or an evidence package (zip)', 415);
  }
}

export class PublicVerification {
  readonly #d: PublicVerificationDeps;

  constructor(deps: PublicVerificationDeps) {
    this.#d = deps;
  }

  /** Held or not, and only the impersonal facts: kind, state, signatures, archived date. */
  async lookup(ref: string): Promise<HashLookup> {
    const match = await this.#d.documents.findByHash(ref);
    if (!match) return { held: false, document: null };
    const record = await this.#d.records.store.findFor(match);
    const state =
      match.destroyed || record?.deletedAt
        ? 'deleted'
        : record?.legalHold
          ? 'legal_hold'
          : record
            ? 'archived'
            : match.status;
    return {
      held: true,
      document: {
        kind: match.kind,
        revision: match.revision,
        state,
        signatures: match.signatures,
        archivedAt: record?.archivedAt ?? null,
      },
    };
  }

  /** The report on an uploaded file, recognised by its content (not its name or declared type). */
  async verify(upload: Buffer): Promise<UploadVerification> {
    const sha256 = createHash('sha256').update(upload).digest('hex');
    if (isPdf(upload)) return this.#verifyPdf(upload, sha256);
    if (upload.subarray(0, 4).equals(ZIP_MAGIC)) return this.#verifyZip(upload, sha256);
    throw new UnsupportedUploadError();
  }

  async #verifyPdf(pdf: Buffer, sha256: string): Promise<UploadVerification> {
    let checkpoint: RecordingCheckpoint | null;
    let report: Awaited<ReturnType<typeof verifyWithPlatformTrust>>;
    try {
      checkpoint = checkpointOf(PdfReader.open(pdf));
      report = await verifyWithPlatformTrust(this.#d.pki, pdf);
    } catch (err) {
      if (!(err instanceof PdfError)) throw new BadRequestError('not a readable PDF', 'pdf_corrupt');
      if (err.code === 'encrypted')
        throw new BadRequestError('the PDF is encrypted: its signatures cannot be checked', 'pdf_encrypted');
      throw new BadRequestError(`not a readable PDF: ${err.message}`, `pdf_${err.code}`);
    }
    // The newest revision the platform knows: the file itself, else an earlier revision (e.g. the
    // copy was timestamped again elsewhere), down to the unstamped document the QR names.
    let held: HashLookup | undefined;
    for (const h of revisionHashes(pdf).reverse()) {
      const l = await this.lookup(h);
      if (l.held) {
        held = l;
        break;
      }
    }
    return {
      type: 'pdf',
      sha256,
      report: { valid: report.valid, signatures: report.signatures.map((s) => ({ ...s, problems: [...s.problems] })) },
      checkpoint,
      record: held ?? { held: false, document: null },
    };
  }

  async #verifyZip(zip: Buffer, sha256: string): Promise<UploadVerification> {
    const report = await verifyEvidencePackage(zip, await this.#d.pki.trustAnchors(), evidenceChecks);
    const m = report.manifest;
    return {
      type: 'zip',
      sha256,
      valid: report.valid,
      checked: report.checked,
      problems: report.problems,
      manifest: m && {
        recordNumber: m.record.number,
        kind: m.record.kind,
        archivedAt: m.record.archivedAt,
        documents: m.documents.length,
        recording: m.recording !== null,
      },
    };
  }
}

const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');

/** `%PDF-` within the first KiB, as readers accept it (ISO 32000-1 §7.5.2, implementation note). */
function isPdf(bytes: Buffer): boolean {
  return bytes.subarray(0, 1024).includes('%PDF-', 0, 'latin1');
}

function checkpointOf(reader: PdfReader): RecordingCheckpoint | null {
  const value = reader.dict(reader.trailer.get('Info'))?.get(CHECKPOINT_INFO_KEY);
  if (!(value instanceof PdfString)) return null;
  try {
    const parsed = checkpointSchema.safeParse(JSON.parse(value.toText()));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * SHA-256 of every revision of a PDF, oldest first: each prefix ending at a `%%EOF` marker (with
 * and without its end-of-line, as writers differ), and the whole file; one pass over the bytes.
 */
export function revisionHashes(pdf: Buffer): string[] {
  const ends = new Set<number>();
  for (let at = pdf.indexOf('%%EOF'); at >= 0 && ends.size < MAX_REVISIONS; at = pdf.indexOf('%%EOF', at + 5)) {
    let end = at + 5;
    ends.add(end);
    if (pdf[end] === 0x0d) ends.add(++end);
    if (pdf[end] === 0x0a) ends.add(++end);
  }
  ends.add(pdf.length);
  const hash = createHash('sha256');
  let from = 0;
  return [...ends]
    .sort((a, b) => a - b)
    .map((end) => {
      hash.update(pdf.subarray(from, end));
      from = end;
      return hash.copy().digest('hex');
    });
}
