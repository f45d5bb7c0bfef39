// Flow A (DESIGN §1): snapshots taken by the server from the recording (each a link of its hash
// chain), the checklist, and the identity confirmation that renders 身份核验确认书, issues the
// applicant's event certificate and opens the signing order applicant → originating clerk (witness)
// → handling clerk (confirmation). Confirmation needs the session to have really happened: the
// applicant present and consenting, both clerks present, and the applicant's media recorded.
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { CaseService, CaseSummary } from '../cases/index.js';
import { actorOf, type UserPrincipal } from '../../kernel/principal.js';
import { type Clock } from '../../kernel/clock.js';
import { type JoinedApplicant, type Participant, type Session, type SessionService } from '../sessions/index.js';
import { BadRequestError, ConflictError } from '../../kernel/errors.js';
import { caseSessionOf } from './case-session.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { Database } from '../../kernel/store/Database.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';
import type { RecordingCheckpoint, RecordingService } from '../recording/index.js';
import type { DocumentSigning, DocumentStore } from '../documents/index.js';
import { stampVerificationQr, type ImageType, type VerificationLink } from '../documents/index.js';
import { uncheckedItems, type Checklist } from './checklist.js';
import type { IdCheckService } from './IdCheckService.js';
import { identitySignerRoles, renderIdentityDocument } from './render-identity-document.js';
import type { FaceCheckStore } from './face/FaceCheckStore.js';
import type { MaterialService } from './MaterialService.js';
import type { Material } from '../../../protocol/http/materials.js';
import type { ScriptService } from './ScriptService.js';

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
  /** The recording chain link holding the image (null for snapshots from before issue 12). */
  readonly chainIndex: number | null;
  readonly chainHash: string | null;
  /** The media segment the frame was decoded from. */
  readonly sourceSegment: number | null;
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
  /** The ID card reads printed in the document's ID check section. */
  readonly idChecks: IdCheckService;
  readonly scripts: ScriptService;
  readonly materials: MaterialService;
  readonly font: Uint8Array;
  /** The /verify links (QR, short URL) of a document hash, under the configured public URL. */
  readonly verificationLink: (sha256: string) => VerificationLink;
  /** Face match and liveness advice of the session, printed in the document (issue 15 §3). */
  readonly faceChecks: FaceCheckStore;
  /** Where a failure after a committed signature goes (the case's move to signed). */
  readonly warn: (message: string) => void;
}

const SNAPSHOT_COLUMNS = `id, case_id AS "caseId", session_id AS "sessionId", kind, media_type AS "mediaType", sha256, bytes,
  offset_ms AS "offsetMs", taken_by AS "takenBy", taken_at AS "takenAt", chain_index AS "chainIndex", chain_hash AS "chainHash",
  source_segment AS "sourceSegment"`;

export class IdentityService {
  readonly #d: IdentityServiceDeps;

  constructor(deps: IdentityServiceDeps) {
    this.#d = deps;
    // The last signature of an identity document completes the case's signing; a case cancelled
    // or rejected before that takes its unfinished documents with it.
    deps.signing.on('completed', (doc) => {
      const caseId = doc.kind === 'identity' ? doc.caseId : null;
      if (caseId)
        deps.cases
          .transition(undefined, caseId, 'signed', `document ${doc.id}`)
          .catch((err: unknown) => deps.warn(`case ${caseId} not moved to signed: ${(err as Error).message}`));
    });
    deps.cases.onChange((c) => {
      if (c.status !== 'cancelled' && c.status !== 'rejected') return;
      void this.#abortSigning(c.id).catch((err: unknown) =>
        console.error(`case ${c.id}: unfinished documents not aborted`, err),
      );
    });
  }

  async #abortSigning(caseId: string): Promise<void> {
    for (const doc of await this.#d.documents.forCase(caseId))
      if (doc.status === 'signing') await this.#d.signing.abort(doc.id);
  }

  /** The handling clerk, in the case's open session, while the case is in session. */
  #assertHandlingClerk(clerk: UserPrincipal, c: CaseSummary): Promise<Session> {
    return caseSessionOf(this.#d.sessions, clerk, c, 'handling');
  }

  /** The open session in which this clerk handles the case now (the face checks' precondition). */
  async handlingSession(clerk: UserPrincipal, caseId: string): Promise<Session> {
    return this.#assertHandlingClerk(clerk, await this.#d.cases.get(caseId));
  }

  /** The applicant in the room and consenting: whose video a liveness check watches. */
  presentApplicant(session: Session): Promise<JoinedApplicant> {
    return this.#presentApplicant(session);
  }

  checkpoint(sessionId: string, session: Session): Promise<RecordingCheckpoint> {
    return this.#d.recording.checkpoint(sessionId, session.startedAt);
  }

  /**
   * The applicant's face or ID card as the recording shows it now: the server takes the frame from
   * the applicant's recorded video (no image from the client) and chains it into the recording.
   */
  async takeSnapshot(clerk: UserPrincipal, caseId: string, kind: 'face' | 'id'): Promise<Snapshot> {
    const c = await this.#d.cases.get(caseId);
    const session = await this.#assertHandlingClerk(clerk, c);
    const applicant = await this.#presentApplicant(session);
    const frame = await this.#d.recording.captureFrame(session.id, applicant.participantId, kind, 'still');
    const sha256 = await this.#d.blobs.put(frame.image);
    const snapshot: Snapshot = {
      id: randomUUID(),
      caseId,
      sessionId: session.id,
      kind,
      mediaType: 'image/jpeg',
      sha256,
      bytes: frame.image.byteLength,
      offsetMs: frame.offsetMs,
      takenBy: clerk.userId,
      takenAt: this.#d.clock().toISOString(),
      chainIndex: frame.index,
      chainHash: frame.chainHash,
      sourceSegment: frame.sourceSegment,
    };
    await this.#d.db.transaction(async () => {
      await this.#d.db.run(
        `INSERT INTO snapshots (id, case_id, session_id, kind, media_type, sha256, bytes, offset_ms, taken_by, taken_at,
           chain_index, chain_hash, source_segment)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          snapshot.id,
          caseId,
          session.id,
          kind,
          snapshot.mediaType,
          sha256,
          snapshot.bytes,
          snapshot.offsetMs,
          clerk.userId,
          snapshot.takenAt,
          frame.index,
          frame.chainHash,
          frame.sourceSegment,
        ],
      );
      await this.#d.audit.append({
        actor: actorOf(clerk),
        action: 'snapshot.captured',
        target: `case:${caseId}`,
        siteId: clerk.siteId,
        details: {
          snapshot: snapshot.id,
          kind,
          sha256,
          offsetMs: snapshot.offsetMs,
          participant: applicant.participantId,
          chainIndex: frame.index,
          chainHash: frame.chainHash,
          sourceSegment: frame.sourceSegment,
        },
      });
    });
    return snapshot;
  }

  /** A confirmation refused for its session preconditions leaves a line in the audit log. */
  async #refusalAudited<T>(clerk: UserPrincipal, caseId: string, check: () => Promise<T>): Promise<T> {
    try {
      return await check();
    } catch (err) {
      if (err instanceof ConflictError)
        await this.#d.audit.append({
          actor: actorOf(clerk),
          action: 'identity.confirm_refused',
          target: `case:${caseId}`,
          siteId: clerk.siteId,
          details: { code: err.code },
        });
      throw err;
    }
  }

  /** The session's applicant, in the room now and having acknowledged the recording notice. */
  async #presentApplicant(session: Session): Promise<JoinedApplicant> {
    const applicant = await this.#d.sessions.joinedApplicant(session.id);
    const presence = applicant && (await this.#d.sessions.presence.get(session.id, applicant.participantId));
    if (!applicant || !presence?.present)
      throw new ConflictError('the applicant is not in the video room', 'applicant_not_present');
    if (!presence.consented)
      throw new ConflictError('the applicant has not acknowledged the recording notice', 'consent_missing');
    return applicant;
  }

  /**
   * What must be true of the live session before an identity can be confirmed (issue 12 §2): the
   * applicant present and consenting, the handling and the originating clerk present, the session
   * recorded here and now, with at least one closed, chained segment of the applicant's media.
   */
  async #assertSessionPreconditions(
    session: Session,
    handlingClerk: UserPrincipal,
  ): Promise<{ applicant: JoinedApplicant; witness: Participant }> {
    const applicant = await this.#presentApplicant(session);
    const witness = session.participants.find((p) => p.role === 'originating_clerk' && p.userId);
    const present = async (userId: string | null | undefined) =>
      !!userId && (await this.#d.sessions.presence.get(session.id, `user:${userId}`)).present;
    if (!witness || !(await present(witness.userId)))
      throw new ConflictError('the originating clerk is not in the video room', 'clerk_not_present');
    if (!(await present(handlingClerk.userId)))
      throw new ConflictError('the handling clerk is not in the video room', 'clerk_not_present');
    if (!(await this.#d.recording.isRunning(session.id)))
      throw new ConflictError('the session is not being recorded', 'recording_not_running');
    if ((await this.#d.recording.recordedSegments(session.id, applicant.participantId)) === 0)
      throw new ConflictError("no sealed segment of the applicant's media yet", 'applicant_not_recorded');
    return { applicant, witness };
  }

  snapshots(caseId: string): Promise<Snapshot[]> {
    return this.#d.db.all<Snapshot>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE case_id = ? ORDER BY taken_at, id`,
      [caseId],
    );
  }

  /** Forgets the case's snapshots and materials when its record is deleted (the caller destroys the blobs). */
  async deleteSnapshots(caseId: string): Promise<void> {
    // The ID card reads of those snapshots go first (they reference them).
    await this.#d.db.run('DELETE FROM id_reads WHERE case_id = ?', [caseId]);
    await this.#d.db.run('DELETE FROM snapshots WHERE case_id = ?', [caseId]);
    await this.#d.faceChecks.deleteForCase(caseId);
    await this.#d.materials.deleteForCase(caseId);
  }

  /** The materials captured in the case's sessions (issue 15 §4). */
  materials(caseId: string): Promise<Material[]> {
    return this.#d.materials.list(caseId);
  }

  snapshot(caseId: string, id: string): Promise<Snapshot | undefined> {
    return this.#d.db.get<Snapshot>(`SELECT ${SNAPSHOT_COLUMNS} FROM snapshots WHERE case_id = ? AND id = ?`, [
      caseId,
      id,
    ]);
  }

  async confirm(clerk: UserPrincipal, caseId: string, checklist: Checklist): Promise<{ documentId: string }> {
    const { db, cases, documents, blobs, pki, audit, clock } = this.#d;
    const c = await cases.get(caseId);
    const session = await this.#assertHandlingClerk(clerk, c);
    const missing = uncheckedItems(checklist);
    if (missing.length)
      throw new BadRequestError(`checklist incomplete: ${missing.join(', ')}`, 'checklist_incomplete');
    const { applicant, witness } = await this.#refusalAudited(clerk, caseId, () =>
      this.#assertSessionPreconditions(session, clerk),
    );
    const script = await this.#refusalAudited(clerk, caseId, () => this.#d.scripts.assertComplete(caseId));
    const snaps = (await this.snapshots(caseId)).filter((s) => s.sessionId === session.id && s.chainIndex !== null);
    if (!snaps.some((s) => s.kind === 'face') || !snaps.some((s) => s.kind === 'id')) {
      throw new BadRequestError('at least one face and one ID snapshot', 'snapshots_missing');
    }

    const documentId = randomUUID();
    const checkpoint = await this.checkpoint(session.id, session);
    const now = clock();
    const rendered = await renderIdentityDocument({
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
      faceChecks: await this.#d.faceChecks.forSession(session.id),
      font: this.#d.font,
      idCheck: await this.#d.idChecks.check(caseId),
      script:
        script.version === null
          ? null
          : {
              matterId: script.matterId,
              version: script.version,
              rows: script.steps,
            },
      materials: (await this.#d.materials.list(caseId)).filter((m) => m.sessionId === session.id),
    });
    const { boxes } = rendered;
    // The QR goes on before anyone signs: the base revision the signers sign carries it.
    const { pdf, verifySha256 } = stampVerificationQr(rendered.pdf, this.#d.verificationLink);
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
    await db.transaction(async () => {
      await documents.insert(
        {
          id: documentId,
          kind: 'identity',
          caseId,
          ceremonyId: null,
          sessionId: session.id,
          title: `身份核验确认书 ${c.number}`,
          originalSha256: sha256,
          verifySha256,
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
      await audit.append({
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
      await cases.transition(clerk, caseId, 'identity_confirmed', `document ${documentId}`);
    }, 'immediate');
    return { documentId };
  }
}
