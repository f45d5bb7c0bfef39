// Flow C: archiving a finished case or ceremony as a record (ending its session and sealing its
// recording first), the auditors' search and detail, legal hold and retention-guarded deletion,
// which destroys the data: the blobs (PDF revisions, snapshots, evidence packages) and the
// recording's files. What stays are rows with hashes (the recording chain, the audit log).
import { erasePersonalData } from './personal-data-erasure.js';
import { randomUUID } from 'node:crypto';
import type { AuditEntry, AuditLog } from '../../kernel/audit/AuditLog.js';
import type { CaseService } from '../cases/index.js';
import type { CatalogService } from '../catalog/index.js';
import { actorOf, type UserPrincipal } from '../../kernel/principal.js';
import { type Clock } from '../../kernel/clock.js';
import type { Session, SessionService } from '../sessions/index.js';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../../kernel/errors.js';
import { evidenceBlobsOf } from './record-blobs.js';
import type { Database } from '../../kernel/store/Database.js';
import type { RecordingService } from '../recording/index.js';
import type { DocumentStore, FlowDocument } from '../documents/index.js';
import type { CeremonyService } from '../ceremony/index.js';
import type { IdentityService, Snapshot } from '../identity/index.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import { RecordStore, type RecordQuery, type RecordRow } from './record-store.js';
import { deletionBlocker, deletionPlan, doomed, retainUntil, type Doomed, type RetentionSources } from './retention.js';
import { CeremonyRetentionStore } from './retention-settings.js';
import type { CeremonyKind } from '../../../protocol/http/retention.js';
import { buildTimeline } from './timeline.js';
import type { RecordTimeline } from '../../../protocol/http/records.js';
import type { Material } from '../../../protocol/http/materials.js';

/**
 * Ceremonies have no matter; agreements are kept like the longest matter class (30 years) until an
 * admin sets otherwise per ceremony kind (the migration seeds this value).
 */
export const CEREMONY_RETENTION_DAYS = 10_950;
/** Every ceremony signs an agreement today: its records take that kind's retention. */
const CEREMONY_KIND: CeremonyKind = 'agreement';

export interface RecordParts {
  readonly record: RecordRow;
  readonly documents: FlowDocument[];
  readonly snapshots: Snapshot[];
  readonly materials: Material[];
  readonly session: Session | undefined;
  readonly audit: AuditEntry[];
}

export interface RecordServiceDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly blobs: BlobStore;
  readonly cases: CaseService;
  readonly catalog: CatalogService;
  readonly sessions: SessionService;
  readonly documents: DocumentStore;
  readonly identity: IdentityService;
  readonly ceremonies: CeremonyService;
  readonly recording: RecordingService;
}

export class RecordService {
  readonly store: RecordStore;
  readonly ceremonyRetention: CeremonyRetentionStore;
  readonly #d: RecordServiceDeps;
  readonly #sources: RetentionSources;

  constructor(deps: RecordServiceDeps) {
    this.#d = deps;
    this.store = new RecordStore(deps.db);
    this.ceremonyRetention = new CeremonyRetentionStore(deps.db);
    this.#sources = { db: deps.db, store: this.store, blobs: deps.blobs, recording: deps.recording };
  }

  async archiveCase(clerk: UserPrincipal, caseId: string): Promise<{ recordId: string }> {
    const { cases, sessions, catalog, db, audit, clock } = this.#d;
    const c = await cases.get(caseId);
    if (clerk.role !== 'clerk' || clerk.siteId !== c.handlingSite.id)
      throw new ForbiddenError('the handling site archives');
    if (c.status !== 'signed') throw new ConflictError(`a ${c.status} case cannot be archived`, 'invalid_state');
    const session = c.sessionId ? await sessions.get(c.sessionId) : undefined;
    if (!session) throw new ConflictError('the case has no video session, hence no recording', 'recording_missing');
    // Seal what was recorded, then check it from the files.
    await this.#d.recording.finalize(session.id);
    try {
      await this.#assertRecordingValid(session.id);
    } catch (err) {
      // An attempt to archive a case without its evidence is worth a line in the audit log.
      if (err instanceof ConflictError)
        await audit.append({
          actor: actorOf(clerk),
          action: 'record.archive_refused',
          target: `case:${caseId}`,
          siteId: clerk.siteId,
          details: { code: err.code, session: session.id },
        });
      throw err;
    }
    const now = clock();
    const recordId = randomUUID();
    const { retentionDays } = await catalog.matter(c.matter.id);
    // The case's move to archived checks its state in the same immediate transaction as the record goes in.
    await db.transaction(async () => {
      await cases.transition(clerk, caseId, 'archived', `record ${recordId}`);
      await this.store.insert({
        id: recordId,
        kind: 'case',
        caseId,
        ceremonyId: null,
        sessionId: session?.id ?? null,
        number: c.number,
        title: `${c.matter.name} · ${c.applicant.name}`,
        matterId: c.matter.id,
        archivedAt: now.toISOString(),
        archivedBy: actorOf(clerk),
        retainUntil: retainUntil(now, retentionDays),
        siteIds: [c.originatingSite.id, c.handlingSite.id],
        participants: participantsOf(session),
      });
      await audit.append({
        actor: actorOf(clerk),
        action: 'record.archived',
        target: `record:${recordId}`,
        siteId: clerk.siteId,
        details: { case: caseId, session: session?.id },
      });
    }, 'immediate');
    await this.#retainEvidence(recordId);
    return { recordId };
  }

  /**
   * Locks the record's documents, snapshots and recording until its end of retention where the blob store can
   * (S3 Object Lock, compliance mode: WORM even for the bucket's owner); a no-op on local disk.
   */
  async #retainEvidence(recordId: string): Promise<void> {
    const record = await this.store.get(recordId);
    const until = new Date(record.retainUntil);
    for (const sha of await evidenceBlobsOf(this.#d.db, record)) await this.#d.blobs.retain(sha, until);
    const { archive } = this.#d.recording;
    if (record.sessionId && archive) {
      // The seal and the last segments may still be on their way to the bucket.
      await archive.settled(record.sessionId);
      await archive.retain(record.sessionId, until);
    }
  }

  /** A case record is evidence of its recorded session: no sealed, intact recording, no archive. */
  async #assertRecordingValid(sessionId: string): Promise<void> {
    const integrity = await this.#d.recording.integrity(sessionId);
    if (integrity.status === 'missing' || integrity.segmentCount === 0)
      throw new ConflictError('the session has no recording', 'recording_missing');
    if (!integrity.valid || integrity.status === 'recording')
      throw new ConflictError(
        `the recording is not valid: ${integrity.status === 'recording' ? 'not sealed' : integrity.problems.join('; ')}`,
        'recording_invalid',
      );
  }

  async archiveCeremony(host: UserPrincipal, ceremonyId: string): Promise<{ recordId: string }> {
    const { sessions, ceremonies, db, audit, clock } = this.#d;
    const state = await ceremonies.state(ceremonyId);
    if (host.userId !== state.host.userId) throw new ForbiddenError('the host archives');
    if (state.status !== 'signed')
      throw new ConflictError(`a ${state.status} ceremony cannot be archived`, 'invalid_state');
    await this.#d.recording.finalize(state.sessionId);
    const archivedAt = clock();
    const recordId = randomUUID();
    const days = await this.ceremonyRetention.days(CEREMONY_KIND);
    await db.transaction(async () => {
      // Checked again inside: a second archiving (another node, a double click) finds it archived.
      const now = await ceremonies.state(ceremonyId);
      if (now.status !== 'signed')
        throw new ConflictError(`a ${now.status} ceremony cannot be archived`, 'invalid_state');
      const session = await sessions.get(state.sessionId);
      if (session.status === 'open') await sessions.end(session.id);
      await ceremonies.markArchived(ceremonyId);
      const siteIds = [...new Set(state.signers.map((s) => s.siteId).filter((s): s is string => s !== null))];
      if (host.siteId && !siteIds.includes(host.siteId)) siteIds.push(host.siteId);
      await this.store.insert({
        id: recordId,
        kind: 'ceremony',
        caseId: null,
        ceremonyId,
        sessionId: state.sessionId,
        number: `CR-${ceremonyId.slice(0, 8).toUpperCase()}`,
        title: state.title,
        matterId: null,
        archivedAt: archivedAt.toISOString(),
        archivedBy: actorOf(host),
        retainUntil: retainUntil(archivedAt, days),
        siteIds,
        participants: participantsOf(session),
      });
      await audit.append({
        actor: actorOf(host),
        action: 'record.archived',
        target: `record:${recordId}`,
        siteId: host.siteId,
        details: { ceremony: ceremonyId, session: state.sessionId },
      });
    }, 'immediate');
    await ceremonies.publish(ceremonyId);
    await this.#retainEvidence(recordId);
    return { recordId };
  }

  search(q: RecordQuery): Promise<{ records: RecordRow[]; total: number }> {
    return this.store.search(q);
  }

  /** The record's flow documents (its case's, or its ceremony's agreement). */
  async documentsOf(record: RecordRow): Promise<FlowDocument[]> {
    if (record.caseId) return this.#d.documents.forCase(record.caseId);
    const agreement = await this.#d.documents.forCeremony(record.ceremonyId!);
    return agreement ? [agreement] : [];
  }

  /** The record with everything it consists of (documents, snapshots, session, audit trail). */
  async parts(id: string): Promise<RecordParts> {
    const record = await this.store.get(id);
    const documents = await this.documentsOf(record);
    const snapshots = record.caseId ? await this.#d.identity.snapshots(record.caseId) : [];
    const materials = record.caseId ? await this.#d.identity.materials(record.caseId) : [];
    const session = record.sessionId ? await this.#d.sessions.find(record.sessionId) : undefined;
    const targets = [
      `record:${id}`,
      ...(record.caseId ? [`case:${record.caseId}`] : []),
      ...(record.ceremonyId ? [`ceremony:${record.ceremonyId}`] : []),
      ...(record.sessionId ? [`session:${record.sessionId}`] : []),
      ...documents.map((d) => `document:${d.id}`),
    ];
    return { record, documents, snapshots, materials, session, audit: await this.#d.audit.forTargets(targets) };
  }

  /** The record's timeline: presence, snapshots and signatures as offsets into the playback video. */
  async timeline(id: string): Promise<RecordTimeline> {
    const record = await this.store.get(id);
    const session = record.sessionId ? await this.#d.sessions.find(record.sessionId) : undefined;
    const row = session && (await this.#d.recording.store.get(session.id));
    return buildTimeline({
      recordId: id,
      session,
      documents: await this.documentsOf(record),
      presence: session ? await this.#d.sessions.presence.events(session.id) : [],
      recording: row && { startedAt: row.startedAt, links: await this.#d.recording.store.segments(row.sessionId) },
    });
  }

  /** The record's applicant as the recording names them (`guest:<id>`); null for a ceremony. */
  async applicantOf(id: string): Promise<string | null> {
    const record = await this.store.get(id);
    const session = record.sessionId ? await this.#d.sessions.find(record.sessionId) : undefined;
    return session?.participants.find((p) => p.role === 'applicant')?.participantId ?? null;
  }

  /** Sets or clears the legal hold; either needs a reason, which the audit entry keeps. */
  async setHold(admin: UserPrincipal, id: string, hold: boolean, reason: string): Promise<RecordRow> {
    const by = actorOf(admin);
    await this.#d.db.transaction(async () => {
      // Read under the lock: the audit's `was` is the state this change replaced, and a deletion
      // running on another node either finishes first (then this is a 404) or waits for the hold.
      const record = await this.store.getAnyForUpdate(id);
      if (record.deletedAt) throw new NotFoundError(`record ${id}`);
      await this.store.setHold(id, hold ? { reason, by, at: this.#d.clock().toISOString() } : null);
      await this.#d.audit.append({
        actor: by,
        action: hold ? 'record.hold_set' : 'record.hold_cleared',
        target: `record:${id}`,
        details: { reason, was: record.legalHold, previousReason: record.holdReason ?? undefined },
      });
    }, 'immediate');
    return this.store.get(id);
  }

  /** What the retention sweep would delete now and destroy with it (the console's preview). */
  deletionPreview(): Promise<Doomed[]> {
    return deletionPlan(this.#sources, this.#d.clock());
  }

  /**
   * Sets a matter's retention (in the catalogue) and moves the end of retention of its live records
   * to match, audited with how many records moved.
   */
  async setMatterRetention(admin: UserPrincipal, matterId: string, days: number): Promise<void> {
    const { catalog, db, audit } = this.#d;
    await db.transaction(async () => {
      const matter = await catalog.matter(matterId);
      await catalog.upsertMatter({ ...matter, retentionDays: days });
      const moved = await this.#reschedule({ matterId }, days);
      await audit.append({
        actor: actorOf(admin),
        action: 'retention.changed',
        target: `matter:${matterId}`,
        details: { from: matter.retentionDays, to: days, records: moved },
      });
    }, 'immediate');
  }

  async setCeremonyRetention(admin: UserPrincipal, kind: CeremonyKind, days: number): Promise<void> {
    const { db, audit, clock } = this.#d;
    await db.transaction(async () => {
      const from = await this.ceremonyRetention.days(kind);
      await this.ceremonyRetention.set(kind, days, actorOf(admin), clock().toISOString());
      const moved = await this.#reschedule({ kind: 'ceremony' }, days);
      await audit.append({
        actor: actorOf(admin),
        action: 'retention.changed',
        target: `ceremony-kind:${kind}`,
        details: { from, to: days, records: moved },
      });
    }, 'immediate');
  }

  async #reschedule(scope: { matterId: string } | { kind: 'ceremony' }, days: number): Promise<number> {
    const live = await this.store.archivedTimes(scope);
    for (const r of live) await this.store.setRetainUntil(r.id, retainUntil(new Date(r.archivedAt), days));
    return live.length;
  }

  /**
   * Deletes the record and destroys its data (blobs, recording files). Refused (409, audited) while
   * under legal hold or before the retention period ends.
   */
  async delete(admin: UserPrincipal, id: string): Promise<{ blobs: number; recordingFiles: number }> {
    const record = await this.store.getAny(id);
    const blocker = deletionBlocker(record, this.#d.clock());
    if (blocker) {
      await this.#d.audit.append({
        actor: actorOf(admin),
        action: 'record.delete_refused',
        target: `record:${id}`,
        details: { code: blocker.code, retainUntil: record.retainUntil, legalHold: record.legalHold },
      });
      throw blocker;
    }
    return this.#destroy(await doomed(this.#sources, record), actorOf(admin), 'deleted');
  }

  /** Deletes every record whose retention has ended and that is not under legal hold (the periodic sweep). */
  async purgeExpired(): Promise<number> {
    return (await this.sweep('system')).deleted.length;
  }

  /**
   * The sweep: destroys exactly what deletionPreview() lists, less any record put on hold since
   * (checked again just before it goes). `actor` is 'system' for the timer, the admin who ran it now.
   */
  async sweep(actor: string): Promise<{ deleted: string[]; blobs: number; recordingFiles: number }> {
    const out = { deleted: [] as string[], blobs: 0, recordingFiles: 0 };
    for (const plan of await this.deletionPreview()) {
      const gone = await this.#destroy(plan, actor, 'retention_ended').catch((err: unknown) => {
        if (err instanceof ConflictError) return undefined; // held or deleted since the plan was made
        throw err;
      });
      if (!gone) continue;
      out.deleted.push(plan.record.id);
      out.blobs += gone.blobs;
      out.recordingFiles += gone.recordingFiles;
    }
    return out;
  }

  /**
   * Marks the record deleted (so nothing serves it any more) and audits it, then removes the files;
   * the entry names how many blobs and recording files went and keeps their hashes, not content.
   */
  async #destroy({ record, blobs: doomedBlobs }: Doomed, actor: string, reason: 'deleted' | 'retention_ended') {
    const { db, blobs, recording, audit, clock } = this.#d;
    const shas = doomedBlobs.map((b) => b.sha256);
    const at = clock().toISOString();
    const documents = (await this.documentsOf(record)).map((d) => d.id);
    await db.transaction(async () => {
      // Checked again under the lock: a hold set (or a deletion made) on another node since the plan wins.
      const blocker = deletionBlocker(await this.store.getAnyForUpdate(record.id), clock());
      if (blocker) throw blocker;
      await this.store.markDeleted(record.id, at);
      await this.#d.documents.markDestroyed(documents, at);
      if (record.caseId) await this.#d.identity.deleteSnapshots(record.caseId);
      await erasePersonalData(db, record);
      await audit.append({
        actor,
        action: 'record.deleted',
        target: `record:${record.id}`,
        details: { reason, retainUntil: record.retainUntil, blobs: shas, session: record.sessionId ?? undefined },
      });
    }, 'immediate');
    let removed = 0;
    for (const sha of shas) {
      try {
        if (await blobs.destroy(sha)) removed += 1;
      } catch (err) {
        // Locked by S3 Object Lock until a retention date that was later shortened: the bucket
        // keeps it until then (compliance mode cannot be lifted); the record is gone all the same.
        if (!(err instanceof AppError && err.code === 'blob_locked')) throw err;
      }
    }
    const recordingFiles = record.sessionId ? await recording.destroy(record.sessionId) : 0;
    return { blobs: removed, recordingFiles };
  }
}

function participantsOf(session: Session | undefined) {
  return (session?.participants ?? []).map((p) => ({
    key: p.participantId,
    name: p.displayName,
    role: p.role,
    userId: p.userId,
  }));
}
