// Evidence-package export for a record: streamed on request (GET …/evidence.zip, the CLI) or
// written by a job, whose progress clients poll or receive over socket.io, into the blob store
// for download. Every export is audited. Jobs are bounded: a few running per user at once, and a
// finished job and its package are deleted once their time to live has passed (issue 12 §7).
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import { actorOf, type Principal } from '../../kernel/principal.js';
import { type Clock } from '../../kernel/clock.js';
import { ConflictError, NotFoundError, TooManyRequestsError } from '../../kernel/errors.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { Database } from '../../kernel/store/Database.js';
import { createDetachedCms } from '../../../signing/cms/create-cms.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';
import { redactionWindows, type RecordService, type VideoWindow } from '../records/index.js';
import type { RecordingService } from '../recording/index.js';
import { buildEvidencePackage, type EvidencePackage } from './build-package.js';
import { collectRecordFiles } from './collect-record-files.js';

export interface EvidenceJob {
  readonly id: string;
  readonly recordId: string;
  readonly kind: 'package' | 'redacted_video';
  readonly status: 'running' | 'done' | 'failed';
  readonly progress: number;
  readonly sha256: string | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface EvidenceExporterDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly blobs: BlobStore;
  readonly records: RecordService;
  readonly recording: RecordingService;
  readonly pki: SigningPki;
  readonly matterName: (id: string) => Promise<string>;
  /** config.limits: evidenceJobsPerUser running at once; evidenceJobTtlMs after finishing. */
  readonly limits: { readonly evidenceJobsPerUser: number; readonly evidenceJobTtlMs: number };
}

const COLUMNS = `id, record_id AS "recordId", kind, status, progress, sha256, error, created_at AS "createdAt",
  finished_at AS "finishedAt"`;
// `CAST(? AS TEXT) IS NULL`: PostgreSQL cannot tell a bare parameter's type from `? IS NULL` alone.
const UPDATE_JOB = `UPDATE evidence_jobs SET progress = COALESCE(?, progress), status = COALESCE(?, status),
  sha256 = COALESCE(?, sha256), error = COALESCE(?, error),
  finished_at = CASE WHEN CAST(? AS TEXT) IS NULL THEN finished_at ELSE ? END
  WHERE id = ?`;

export class EvidenceExporter extends EventEmitter<{ progress: [EvidenceJob & { requestedBy: string }] }> {
  readonly #d: EvidenceExporterDeps;

  constructor(deps: EvidenceExporterDeps) {
    super();
    this.#d = deps;
  }

  /**
   * Marks failed the jobs a previous server left "running" (they would count against their owner's
   * limit for ever). Called by the serving app on start only: a CLI command beside it must not.
   */
  async failInterrupted(): Promise<number> {
    const r = await this.#d.db.run(
      `UPDATE evidence_jobs SET status = 'failed', error = 'interrupted by a server restart', finished_at = ? WHERE status = 'running'`,
      [this.#d.clock().toISOString()],
    );
    return r.changes;
  }

  /**
   * Gathers the record's files and seals SHA256SUMS (audited as exported); the zip then streams
   * from the package, so a long recording is never held in memory. `onProgress` covers hashing.
   */
  async prepare(
    recordId: string,
    exportedBy: string,
    onProgress?: (fraction: number) => void,
  ): Promise<EvidencePackage> {
    const { records, recording, blobs, pki, clock, matterName, audit } = this.#d;
    const parts = await records.parts(recordId);
    const now = clock();
    const files = await collectRecordFiles(parts, { recording, blobs, pki, exportedAt: now, exportedBy, matterName });
    const pkg = await buildEvidencePackage(files, {
      seal: await pki.sealSigner(),
      timeStamper: pki.timeStamper(),
      createDetachedCms,
      mtime: now,
      onHashed: onProgress,
    });
    await audit.append({
      actor: exportedBy,
      action: 'evidence.exported',
      target: `record:${recordId}`,
      details: { files: pkg.fileCount, sumsSha256: pkg.sumsSha256 },
    });
    return pkg;
  }

  /** Starts a background export; progress is stored and emitted. 429 when the user has too many running. */
  async start(principal: Principal, recordId: string): Promise<EvidenceJob> {
    await this.purgeExpired();
    await this.#d.records.store.get(recordId);
    return this.#startJob(principal, recordId, 'package', async (progress) => {
      const pkg = await this.prepare(recordId, actorOf(principal), (f) => progress(f / 2));
      const zip = countBytes(pkg.zip(), (bytes) => progress(0.5 + Math.min(1, bytes / pkg.contentBytes) / 2));
      // The package is the server's own making, as large as the record's recording: no upload limit.
      return this.#d.blobs.put(zip, { maxBytes: Number.POSITIVE_INFINITY });
    });
  }

  /**
   * Starts rendering a redacted copy of the record's playback video (issue 16 §2): the applicant's
   * tile blurred around each ID snapshot, in every span marked as showing the ID, and in the
   * auditor's own `extra` spans. 409 without a finished composite. The finished file is hashed into
   * the blob store and audited as `record.redacted_export` with its hash; it expires like a package.
   */
  async startRedactedVideo(
    principal: Principal,
    recordId: string,
    extra: readonly VideoWindow[],
  ): Promise<EvidenceJob> {
    await this.purgeExpired();
    const { records, recording, blobs, audit } = this.#d;
    const record = await records.store.get(recordId);
    if (!record.sessionId) throw new ConflictError('the record has no recording', 'recording_missing');
    const applicant = await records.applicantOf(recordId);
    const plan = await recording.redactionPlan(record.sessionId, applicant);
    const windows = redactionWindows(await records.timeline(recordId), extra);
    const actor = actorOf(principal);
    return this.#startJob(principal, recordId, 'redacted_video', async (progress, jobId) => {
      const file = await recording.renderRedacted(plan, windows, progress);
      try {
        const sha256 = await blobs.put(createReadStream(file), { maxBytes: Number.POSITIVE_INFINITY });
        await audit.append({
          actor,
          action: 'record.redacted_export',
          target: `record:${recordId}`,
          details: {
            job: jobId,
            sha256,
            bytes: await blobs.size(sha256),
            region: { ...plan.region, of: plan.regionOf, participant: plan.participant ?? undefined },
            windows: windows.map((w) => [w.fromMs, w.toMs]),
            auditorWindows: extra.length,
          },
        });
        return sha256;
      } finally {
        await rm(file, { force: true });
      }
    });
  }

  /** One row, a background task whose progress is stored and emitted, and the file it makes kept in the blob store. */
  async #startJob(
    principal: Principal,
    recordId: string,
    kind: EvidenceJob['kind'],
    make: (progress: (fraction: number) => void, jobId: string) => Promise<string>,
  ): Promise<EvidenceJob> {
    const { db, clock } = this.#d;
    const id = randomUUID();
    const requestedBy = actorOf(principal);
    // Count and insert in one immediate transaction: two starts at once cannot both pass the limit.
    await db.transaction(async () => {
      const row = await db.get<{ running: number }>(
        `SELECT COUNT(*) AS running FROM evidence_jobs WHERE requested_by = ? AND status = 'running'`,
        [requestedBy],
      );
      const running = Number(row?.running ?? 0);
      const limit = this.#d.limits.evidenceJobsPerUser;
      if (running >= limit) {
        throw new TooManyRequestsError(
          `${running} evidence exports are already running (limit ${limit}); wait for one to finish`,
        );
      }
      await db.run(
        `INSERT INTO evidence_jobs (id, record_id, kind, requested_by, status, progress, created_at) VALUES (?, ?, ?, ?, 'running', 0, ?)`,
        [id, recordId, kind, requestedBy, clock().toISOString()],
      );
    }, 'immediate');
    const write = async (fields: { progress?: number; status?: string; sha256?: string; error?: string }) => {
      await db.run(UPDATE_JOB, [
        fields.progress ?? null,
        fields.status ?? null,
        fields.sha256 ?? null,
        fields.error ?? null,
        fields.status ?? null,
        clock().toISOString(),
        id,
      ]);
      this.emit('progress', { ...(await this.job(id)), requestedBy });
    };
    // Progress comes from synchronous callbacks: the writes queue up in order, so a late progress
    // never lands after the final state; a failed progress write only loses that step.
    let writes = Promise.resolve();
    const update = (fields: Parameters<typeof write>[0]) =>
      (writes = writes.then(() => write(fields)).catch(() => undefined));
    let shown = 0;
    const progress = (fraction: number) => {
      if (fraction - shown < 0.02) return;
      shown = fraction;
      void update({ progress: Math.min(0.99, fraction) });
    };
    void (async () => {
      try {
        await update({ sha256: await make(progress, id), status: 'done', progress: 1 });
      } catch (err) {
        await update({ status: 'failed', error: err instanceof Error ? err.message.slice(0, 200) : 'export failed' });
      }
    })();
    return this.job(id);
  }

  /** A job; an expired one is gone (404) even before purgeExpired has deleted it. */
  async job(id: string): Promise<EvidenceJob> {
    const job = await this.#d.db.get<EvidenceJob>(`SELECT ${COLUMNS} FROM evidence_jobs WHERE id = ?`, [id]);
    if (!job || (job.finishedAt !== null && job.finishedAt < this.#expiredBefore()))
      throw new NotFoundError(`evidence job ${id}`);
    return job;
  }

  /** Deletes finished jobs older than the time to live, and their packages; returns how many. */
  async purgeExpired(): Promise<number> {
    const { db, blobs, audit } = this.#d;
    const expired = await db.all<{ id: string; recordId: string; sha256: string | null }>(
      `SELECT id, record_id AS "recordId", sha256 FROM evidence_jobs WHERE status != 'running' AND finished_at < ?`,
      [this.#expiredBefore()],
    );
    let purged = 0;
    for (const job of expired) {
      // The row goes first, with its audit entry: of two purges running at once (two nodes) only the
      // one whose DELETE took the row audits it.
      const deleted = await db.transaction(async () => {
        if ((await db.run('DELETE FROM evidence_jobs WHERE id = ?', [job.id])).changes === 0) return false;
        await audit.append({
          actor: 'system',
          action: 'evidence.purged',
          target: `record:${job.recordId}`,
          details: { job: job.id, sha256: job.sha256 },
        });
        return true;
      }, 'immediate');
      if (!deleted) continue;
      purged++;
      // Blobs are content-addressed: keep a package another job still names.
      const shared = job.sha256 && (await db.get('SELECT 1 AS x FROM evidence_jobs WHERE sha256 = ?', [job.sha256]));
      if (job.sha256 && !shared) await blobs.destroy(job.sha256);
    }
    return purged;
  }

  #expiredBefore(): string {
    return new Date(this.#d.clock().getTime() - this.#d.limits.evidenceJobTtlMs).toISOString();
  }

  /** The job and who asked for it, after purging expired jobs (so an expired package is gone, not just hidden). */
  async jobWithOwner(id: string): Promise<{ job: EvidenceJob; requestedBy: string }> {
    await this.purgeExpired();
    const row = await this.#d.db.get<{ requestedBy: string }>(
      'SELECT requested_by AS "requestedBy" FROM evidence_jobs WHERE id = ?',
      [id],
    );
    return { job: await this.job(id), requestedBy: row?.requestedBy ?? '' };
  }

  /** A finished job's file (package or video, as `kind` says), streamed from the blob store. */
  async download(
    id: string,
    kind: EvidenceJob['kind'] = 'package',
  ): Promise<{ job: EvidenceJob; size: number; zip: Readable }> {
    const job = await this.job(id);
    if (job.kind !== kind) throw new NotFoundError(`${kind} of job ${id}`);
    if (job.status !== 'done' || !job.sha256) throw new ConflictError(`export is ${job.status}`, 'export_not_ready');
    return { job, size: await this.#d.blobs.size(job.sha256), zip: this.#d.blobs.stream(job.sha256) };
  }
}

/** The chunks of `stream`, telling `seen` the running total. */
async function* countBytes(
  stream: AsyncIterable<Uint8Array>,
  seen: (bytes: number) => void,
): AsyncIterable<Uint8Array> {
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.byteLength;
    seen(bytes);
    yield chunk;
  }
}
