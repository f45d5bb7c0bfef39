// Evidence-package export for a record: built on request (GET …/evidence.zip) or as a job whose
// progress clients poll or receive over socket.io, then download. Finished packages go to the
// blob store; every export is audited.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AuditLog } from '../../audit/AuditLog.js';
import { actorOf, type Clock, type Principal } from '../../domain/principal.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { BlobStore } from '../../store/BlobStore.js';
import type { Database } from '../../store/Database.js';
import { createDetachedCms } from '../../../signing/cms/create-cms.js';
import type { FlowsPki } from '../deps.js';
import type { RecordService } from '../records/RecordService.js';
import { buildEvidencePackage } from './build-package.js';
import { collectRecordFiles } from './collect-record-files.js';

export interface EvidenceJob {
  readonly id: string;
  readonly recordId: string;
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
  readonly pki: FlowsPki;
  readonly matterName: (id: string) => string;
}

const COLUMNS = `id, record_id AS recordId, status, progress, sha256, error, created_at AS createdAt, finished_at AS finishedAt`;

export class EvidenceExporter extends EventEmitter<{ progress: [EvidenceJob & { requestedBy: string }] }> {
  readonly #d: EvidenceExporterDeps;

  constructor(deps: EvidenceExporterDeps) {
    super();
    this.#d = deps;
  }

  /** Builds the package now (the simple GET and the CLI). */
  async build(recordId: string, exportedBy: string, onProgress?: (fraction: number) => void): Promise<Buffer> {
    const { records, db, blobs, pki, clock, matterName, audit } = this.#d;
    const parts = records.parts(recordId);
    const now = clock();
    const files = await collectRecordFiles(parts, { db, blobs, pki, exportedAt: now, exportedBy, matterName, onProgress });
    const zip = await buildEvidencePackage(files, { seal: await pki.sealSigner(), timeStamper: pki.timeStamper(), createDetachedCms, mtime: now });
    onProgress?.(1);
    audit.append({ actor: exportedBy, action: 'evidence.exported', target: `record:${recordId}`, details: { files: files.size + 2, bytes: zip.byteLength } });
    return zip;
  }

  /** Starts a background export; progress is stored and emitted. */
  start(principal: Principal, recordId: string): EvidenceJob {
    this.#d.records.store.get(recordId);
    const id = randomUUID();
    const requestedBy = actorOf(principal);
    this.#d.db.sql
      .prepare(`INSERT INTO evidence_jobs (id, record_id, requested_by, status, progress, created_at) VALUES (?, ?, ?, 'running', 0, ?)`)
      .run(id, recordId, requestedBy, this.#d.clock().toISOString());
    const update = (fields: { progress?: number; status?: string; sha256?: string; error?: string }) => {
      this.#d.db.sql
        .prepare(
          `UPDATE evidence_jobs SET progress = COALESCE(?, progress), status = COALESCE(?, status), sha256 = COALESCE(?, sha256),
             error = COALESCE(?, error), finished_at = CASE WHEN ? IS NULL THEN finished_at ELSE ? END WHERE id = ?`,
        )
        .run(fields.progress ?? null, fields.status ?? null, fields.sha256 ?? null, fields.error ?? null, fields.status ?? null, this.#d.clock().toISOString(), id);
      this.emit('progress', { ...this.job(id), requestedBy });
    };
    void (async () => {
      try {
        const zip = await this.build(recordId, requestedBy, (progress) => update({ progress }));
        update({ sha256: await this.#d.blobs.put(zip), status: 'done', progress: 1 });
      } catch (err) {
        update({ status: 'failed', error: err instanceof Error ? err.message.slice(0, 200) : 'export failed' });
      }
    })();
    return this.job(id);
  }

  job(id: string): EvidenceJob {
    const job = this.#d.db.sql.prepare(`SELECT ${COLUMNS} FROM evidence_jobs WHERE id = ?`).get(id) as EvidenceJob | undefined;
    if (!job) throw new NotFoundError(`evidence job ${id}`);
    return job;
  }

  jobWithOwner(id: string): { job: EvidenceJob; requestedBy: string } {
    const row = this.#d.db.sql.prepare('SELECT requested_by AS requestedBy FROM evidence_jobs WHERE id = ?').get(id) as
      | { requestedBy: string }
      | undefined;
    return { job: this.job(id), requestedBy: row?.requestedBy ?? '' };
  }

  async download(id: string): Promise<{ job: EvidenceJob; zip: Buffer }> {
    const job = this.job(id);
    if (job.status !== 'done' || !job.sha256) throw new ConflictError(`export is ${job.status}`, 'export_not_ready');
    return { job, zip: await this.#d.blobs.get(job.sha256) };
  }
}
