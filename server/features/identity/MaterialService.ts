// Materials (issue 15 §4): the applicant's papers, captured into the case by the originating clerk
// during the session, either as a frame from any camera in the room (taken by the server from the
// recording, as snapshots are) or as an uploaded JPEG, PNG or PDF. The type is read from the bytes,
// never from the name; a PDF must open unencrypted with our PDF reader. Each material is a blob and
// a link of the recording's hash chain; the 确认书 lists it and the evidence package carries it.
import { randomUUID } from 'node:crypto';
import { PdfReader } from '../../../signing/pdf/PdfReader.js';
import { PdfError } from '../../../signing/errors.js';
import { MATERIAL_MAX_BYTES, type Material } from '../../../protocol/http/materials.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, BadRequestError, ForbiddenError, PayloadTooLargeError } from '../../kernel/errors.js';
import { actorOf, type UserPrincipal } from '../../kernel/principal.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { Database } from '../../kernel/store/Database.js';
import type { CaseService } from '../cases/index.js';
import { sniffImage } from '../documents/index.js';
import type { RecordingService } from '../recording/index.js';
import type { SessionService } from '../sessions/index.js';
import { caseSessionOf } from './case-session.js';

export interface MaterialServiceDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly blobs: BlobStore;
  readonly cases: CaseService;
  readonly sessions: SessionService;
  readonly recording: RecordingService;
}

const COLUMNS = `id, case_id AS "caseId", session_id AS "sessionId", name, media_type AS "mediaType", source, sha256, bytes,
  offset_ms AS "offsetMs", chain_index AS "chainIndex", chain_hash AS "chainHash", taken_by AS "takenBy", taken_at AS "takenAt"`;

const extension: Record<Material['mediaType'], string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/pdf': 'pdf',
};

/** The upload's type from its first bytes; a PDF must also open (not encrypted, not damaged). */
export function materialType(bytes: Uint8Array): Material['mediaType'] {
  if (bytes.byteLength > MATERIAL_MAX_BYTES) throw new PayloadTooLargeError(`larger than ${MATERIAL_MAX_BYTES} bytes`);
  const image = sniffImage(bytes);
  if (image) return image;
  if (Buffer.from(bytes.subarray(0, 5)).toString('latin1') !== '%PDF-')
    throw new AppError('material_unsupported_type', 'a material must be a JPEG, PNG or PDF file', 415);
  try {
    if (PdfReader.open(bytes, { maxBytes: MATERIAL_MAX_BYTES }).pageCount() < 1)
      throw new BadRequestError('the PDF has no pages', 'pdf_empty');
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof PdfError)
      throw new BadRequestError(
        err.code === 'encrypted' ? 'the PDF is encrypted' : `not a usable PDF: ${err.message}`,
        `pdf_${err.code}`,
      );
    throw new BadRequestError('not a usable PDF', 'pdf_corrupt');
  }
  return 'application/pdf';
}

export class MaterialService {
  readonly #d: MaterialServiceDeps;

  constructor(deps: MaterialServiceDeps) {
    this.#d = deps;
  }

  /** An uploaded file, chained into the recording under the originating clerk's folder. */
  async upload(clerk: UserPrincipal, caseId: string, name: string, bytes: Uint8Array): Promise<Material> {
    const c = await this.#d.cases.get(caseId);
    const session = await caseSessionOf(this.#d.sessions, clerk, c, 'originating');
    const mediaType = materialType(bytes);
    const link = await this.#d.recording.appendEntry(
      session.id,
      `user:${clerk.userId}`,
      'material-upload',
      bytes,
      extension[mediaType],
    );
    await this.#d.blobs.put(bytes);
    return this.#insert(clerk, { caseId, sessionId: session.id, name, mediaType, source: 'upload', ...link, bytes });
  }

  /** A frame of a participant's camera (e.g. the document camera at the 帮办 desk), from the recording. */
  async fromCamera(clerk: UserPrincipal, caseId: string, name: string, participantId: string): Promise<Material> {
    const c = await this.#d.cases.get(caseId);
    const session = await caseSessionOf(this.#d.sessions, clerk, c, 'originating');
    if (!session.participants.some((p) => p.participantId === participantId))
      throw new ForbiddenError('not a participant of this session');
    const frame = await this.#d.recording.captureFrame(session.id, participantId, 'material', 'still');
    await this.#d.blobs.put(frame.image);
    return this.#insert(clerk, {
      caseId,
      sessionId: session.id,
      name,
      mediaType: 'image/jpeg',
      source: 'camera',
      sha256: frame.sha256,
      offsetMs: frame.offsetMs,
      index: frame.index,
      chainHash: frame.chainHash,
      bytes: frame.image,
    });
  }

  async #insert(
    clerk: UserPrincipal,
    m: Pick<
      Material,
      'caseId' | 'sessionId' | 'name' | 'mediaType' | 'source' | 'sha256' | 'offsetMs' | 'chainHash'
    > & {
      readonly index: number;
      readonly bytes: Uint8Array;
    },
  ): Promise<Material> {
    const material: Material = {
      id: randomUUID(),
      caseId: m.caseId,
      sessionId: m.sessionId,
      name: m.name,
      mediaType: m.mediaType,
      source: m.source,
      sha256: m.sha256,
      bytes: m.bytes.byteLength,
      offsetMs: m.offsetMs,
      chainIndex: m.index,
      chainHash: m.chainHash,
      takenBy: clerk.userId,
      takenAt: this.#d.clock().toISOString(),
    };
    await this.#d.db.transaction(async () => {
      await this.#d.db.run(
        `INSERT INTO materials (id, case_id, session_id, name, media_type, source, sha256, bytes, offset_ms, chain_index,
           chain_hash, taken_by, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        Object.values(material),
      );
      await this.#d.audit.append({
        actor: actorOf(clerk),
        action: 'material.captured',
        target: `case:${m.caseId}`,
        siteId: clerk.siteId,
        details: {
          material: material.id,
          source: material.source,
          mediaType: material.mediaType,
          sha256: material.sha256,
          bytes: material.bytes,
          offsetMs: material.offsetMs,
          chainIndex: material.chainIndex,
          chainHash: material.chainHash,
        },
      });
    });
    return material;
  }

  list(caseId: string): Promise<Material[]> {
    return this.#d.db.all<Material>(`SELECT ${COLUMNS} FROM materials WHERE case_id = ? ORDER BY taken_at, id`, [
      caseId,
    ]);
  }

  get(caseId: string, id: string): Promise<Material | undefined> {
    return this.#d.db.get<Material>(`SELECT ${COLUMNS} FROM materials WHERE case_id = ? AND id = ?`, [caseId, id]);
  }

  /** Forgets the case's materials when its record is deleted (the caller destroys the blobs). */
  async deleteForCase(caseId: string): Promise<void> {
    await this.#d.db.run('DELETE FROM materials WHERE case_id = ?', [caseId]);
  }
}
