// Flow A (DESIGN §1): snapshots tied to the recording timeline, the checklist, and the identity
// confirmation that renders 身份核验确认书, issues the applicant's event certificate and opens the
// signing order applicant → originating clerk (witness) → handling clerk (confirmation).
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { CaseService, CaseSummary } from '../cases/index.js';
import { actorOf, type UserPrincipal } from '../../kernel/principal.js';
import { type Clock } from '../../kernel/clock.js';
import type { Session, SessionService } from '../sessions/index.js';
import { BadRequestError, ConflictError, ForbiddenError } from '../../kernel/errors.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { Database } from '../../kernel/store/Database.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';
import type { RecordingCheckpoint, RecordingService } from '../recording/index.js';
import type { DocumentSigning, DocumentStore } from '../documents/index.js';
import { requireImage, type ImageType } from '../documents/index.js';
import { uncheckedItems, type Checklist } from './checklist.js';
import { identitySignerRoles, renderIdentityDocument } from './render-identity-document.js';

export const SNAPSHOT_MAX_BYTES = 5 * 1024 * 1024;
/** The applicant's event certificate only needs to outlive the signing round. */
export const EVENT_CERTIFICATE_MINUTES = 60;

export interface Snapshot {
  readonly id: string;
  readonly caseId: string;
  readonly sessionId: string;
  readonly kind: 'face' | 'id';
  readonly mediaType: ImageType;
  readonly sha256: string;
  readonly bytes: number;
  readonly offsetMs: number;
  readonly takenBy: string;
  readonly takenAt: string;
}

export interface IdentityServiceDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly blobs: BlobStore;
  readonly cases: CaseService;
  readonly sessions: SessionService;
  readonly documents: DocumentStore;
  readonly signing: DocumentSigning;
  readonly pki: SigningPki;
  readonly recording: RecordingService;
  readonly font: Uint8Array;
}

const SNAPSHOT_COLUMNS = `id, case_id AS caseId, session_id AS sessionId, kind, media_type AS mediaType, sha256, bytes,
  offset_ms AS offsetMs, taken_by AS takenBy, taken_at AS takenAt`;

export class IdentityService {
  readonly #d: IdentityServiceDeps;

  constructor(deps: IdentityServiceDeps) {
    this.#d = deps;
    // The last signature of an identity document completes the case's signing; a case cancelled
    // or rejected before that takes its unfinished documents with it.
    deps.signing.on('completed', (doc) => {
      if (doc.kind === 'identity' && doc.caseId)
        deps.cases.transition(undefined, doc.caseId, 'signed', `document ${doc.id}`);
    });
    deps.cases.onChange((c) => {
      if (c.status !== 'cancelled' && c.status !== 'rejected') return;
      for (const doc of deps.documents.forCase(c.id)) if (doc.status === 'signing') deps.signing.abort(doc.id);
    });
  }

  /** The handling clerk, in the case's open session, while the case is in session. */
  #assertHandlingClerk(clerk: UserPrincipal, c: CaseSummary): Session {
    if (clerk.role !== 'clerk' || clerk.siteId !== c.handlingSite.id) throw new ForbiddenError('handling clerk only');
    const session = this.#d.sessions.openForCase(c.id);
    if (!session || !session.participants.some((p) => p.userId === clerk.userId && p.role === 'handling_clerk')) {
      throw new ForbiddenError('only the clerk handling this case');
    }
    if (c.status !== 'in_session') throw new ConflictError(`case is ${c.status}, not in_session`, 'invalid_state');
    return session;
  }

  checkpoint(sessionId: string, session: Session): RecordingCheckpoint {
    return this.#d.recording.checkpoint(sessionId, session.startedAt);
  }

  async addSnapshot(clerk: UserPrincipal, caseId: string, kind: 'face' | 'id', image: Uint8Array): Promise<Snapshot> {
    const c = this.#d.cases.get(caseId);
    const session = this.#assertHandlingClerk(clerk, c);
    const mediaType = requireImage(image, SNAPSHOT_MAX_BYTES, ['image/png', 'image/jpeg']);
    const sha256 = await this.#d.blobs.put(image);
    const checkpoint = this.checkpoint(session.id, session);
    const snapshot: Snapshot = {
      id: randomUUID(),
      caseId,
      sessionId: session.id,
      kind,
      mediaType,
      sha256,
      bytes: image.byteLength,
      offsetMs: checkpoint.offsetMs,
      takenBy: clerk.userId,
      takenAt: this.#d.clock().toISOString(),
    };
    this.#d.db.transaction(() => {
      this.#d.db.sql
        .prepare(
          `INSERT INTO snapshots (id, case_id, session_id, kind, media_type, sha256, bytes, offset_ms, taken_by, taken_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          snapshot.id,
          caseId,
          session.id,
          kind,
          mediaType,
          sha256,
          snapshot.bytes,
          snapshot.offsetMs,
          clerk.userId,
          snapshot.takenAt,
        );
      this.#d.audit.append({
        actor: actorOf(clerk),
        action: 'snapshot.captured',
        target: `case:${caseId}`,
        siteId: clerk.siteId,
        details: { snapshot: snapshot.id, kind, sha256, offsetMs: snapshot.offsetMs, chainHead: checkpoint.head },
      });
    });
    return snapshot;
  }

  snapshots(caseId: string): Snapshot[] {
    return this.#d.db.sql
      .prepare(`SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE case_id = ? ORDER BY taken_at, id`)
      .all(caseId) as Snapshot[];
  }

  /** Forgets the case's snapshots when its record is deleted (the caller destroys the blobs). */
  deleteSnapshots(caseId: string): void {
    this.#d.db.sql.prepare('DELETE FROM snapshots WHERE case_id = ?').run(caseId);
  }

  snapshot(caseId: string, id: string): Snapshot | undefined {
    return this.#d.db.sql
      .prepare(`SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE case_id = ? AND id = ?`)
      .get(caseId, id) as Snapshot | undefined;
  }

  async confirm(clerk: UserPrincipal, caseId: string, checklist: Checklist): Promise<{ documentId: string }> {
    const { db, cases, sessions, documents, blobs, pki, audit, clock } = this.#d;
    const c = cases.get(caseId);
    const session = this.#assertHandlingClerk(clerk, c);
    const missing = uncheckedItems(checklist);
    if (missing.length)
      throw new BadRequestError(`checklist incomplete: ${missing.join(', ')}`, 'checklist_incomplete');
    const snaps = this.snapshots(caseId);
    if (!snaps.some((s) => s.kind === 'face') || !snaps.some((s) => s.kind === 'id')) {
      throw new BadRequestError('at least one face and one ID snapshot', 'snapshots_missing');
    }
    const applicant = sessions.joinedApplicant(session.id);
    if (!applicant) throw new ConflictError('the applicant has not joined the session', 'applicant_absent');
    const witness = session.participants.find((p) => p.role === 'originating_clerk');
    if (!witness?.userId) throw new ConflictError('no originating clerk in the session', 'witness_absent');

    const documentId = randomUUID();
    const checkpoint = this.checkpoint(session.id, session);
    const now = clock();
    const { pdf, boxes } = await renderIdentityDocument({
      caseNumber: c.number,
      caseId: c.id,
      matter: c.matter.name,
      originatingSite: c.originatingSite.name,
      handlingSite: c.handlingSite.name,
      applicant: { name: c.applicant.name, idMasked: c.applicant.idMasked },
      originatingClerk: witness.displayName,
      handlingClerk: clerk.displayName,
      checklist,
      snapshots: await Promise.all(snaps.map(async (s) => ({ ...s, bytes: await blobs.get(s.sha256) }))),
      sessionStartedAt: session.startedAt,
      confirmedAt: now.toISOString(),
      checkpoint,
      font: this.#d.font,
    });
    const sha256 = await blobs.put(pdf);
    // The subject's UID names the case, the document and the invited guest who joined (and alone may
    // sign with it); its serialNumber a per-case pseudonym (not the ID number's HMAC).
    const eventId = `case:${caseId}:document:${documentId}:guest:${applicant.guestId}`;
    const certificate = await pki.issueEventCertificate({
      eventId,
      name: c.applicant.name,
      caseId,
      siteId: c.originatingSite.id,
      validMinutes: EVENT_CERTIFICATE_MINUTES,
    });
    const guestOfSession = session.id;
    const [applicantBox, witnessBox, confirmerBox] = identitySignerRoles.map((r) => boxes[r]);
    db.transaction(() => {
      documents.insert(
        {
          id: documentId,
          kind: 'identity',
          caseId,
          ceremonyId: null,
          sessionId: session.id,
          title: `身份核验确认书 ${c.number}`,
          originalSha256: sha256,
          checkpoint,
          createdAt: now.toISOString(),
        },
        [
          {
            position: 1,
            role: 'applicant',
            userId: null,
            guestOfSession,
            guestId: applicant.guestId,
            displayName: c.applicant.name,
            siteId: c.originatingSite.id,
            box: applicantBox!,
            eventCertificateSerial: certificate.serial,
            eventId,
          },
          {
            position: 2,
            role: 'witness',
            userId: witness.userId,
            guestOfSession: null,
            guestId: null,
            displayName: witness.displayName,
            siteId: c.originatingSite.id,
            box: witnessBox!,
            eventCertificateSerial: null,
            eventId: null,
          },
          {
            position: 3,
            role: 'confirmer',
            userId: clerk.userId,
            guestOfSession: null,
            guestId: null,
            displayName: clerk.displayName,
            siteId: c.handlingSite.id,
            box: confirmerBox!,
            eventCertificateSerial: null,
            eventId: null,
          },
        ],
      );
      audit.append({
        actor: actorOf(clerk),
        action: 'identity.confirmed',
        target: `case:${caseId}`,
        siteId: clerk.siteId,
        details: {
          document: documentId,
          sha256,
          chainHead: checkpoint.head,
          segmentCount: checkpoint.segmentCount,
          offsetMs: checkpoint.offsetMs,
          eventCertificate: certificate.serial,
        },
      });
      cases.transition(clerk, caseId, 'identity_confirmed', `document ${documentId}`);
    });
    return { documentId };
  }
}
