// Batch verification of a whole search result for auditors (issue 16 §3): a background job checks
// record after record with the record page's own checks (record-verification.ts), keeps its rows
// for polling and renders them as CSV. Jobs live in memory: a restart loses them, and the auditor
// starts again (nothing is stored but audit entries). One running job per auditor; a finished job
// is dropped after the evidence-job time to live.
import { randomUUID } from 'node:crypto';
import type { RecordFilters, RecordVerificationJob, RecordVerificationRow } from '../../../protocol/http/records.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { Clock } from '../../kernel/clock.js';
import { ConflictError, NotFoundError, TooManyRequestsError } from '../../kernel/errors.js';
import { actorOf, type UserPrincipal } from '../../kernel/principal.js';
import { verificationRow, verifyRecord, type RecordVerificationDeps } from './record-verification.js';
import type { RecordService } from './RecordService.js';

export interface RecordVerificationsDeps extends RecordVerificationDeps {
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly records: RecordService;
  /** config.limits: batchVerifyMaxRecords per job; evidenceJobTtlMs after finishing. */
  readonly limits: { readonly batchVerifyMaxRecords: number; readonly evidenceJobTtlMs: number };
}

interface Job {
  readonly state: RecordVerificationJob & { rows: RecordVerificationRow[] };
  readonly owner: string;
}

/** The CSV columns, in order (documented in the README). */
export const CSV_COLUMNS = [
  'record_number',
  'kind',
  'title',
  'archived_at',
  'documents',
  'signatures',
  'signatures_valid',
  'recording',
  'result',
  'problems',
] as const;

export class RecordVerifications {
  readonly #d: RecordVerificationsDeps;
  readonly #jobs = new Map<string, Job>();

  constructor(deps: RecordVerificationsDeps) {
    this.#d = deps;
  }

  /** Starts verifying every record the filters find (409 too_many_records above the limit; 429 while one runs). */
  start(auditor: UserPrincipal, filters: RecordFilters): RecordVerificationJob {
    this.#purge();
    const owner = actorOf(auditor);
    if ([...this.#jobs.values()].some((j) => j.owner === owner && j.state.status === 'running'))
      throw new TooManyRequestsError('a batch verification of yours is still running; wait for it to finish');
    const max = this.#d.limits.batchVerifyMaxRecords;
    const found = this.#d.records.search({ ...filters, limit: max, offset: 0 });
    if (found.total > max)
      throw new ConflictError(
        `the search finds ${found.total} records; at most ${max} are verified at once (narrow the search)`,
        'too_many_records',
      );
    const id = randomUUID();
    const state = {
      id,
      status: 'running' as RecordVerificationJob['status'],
      total: found.records.length,
      checked: 0,
      rows: [] as RecordVerificationRow[],
      error: null as string | null,
      createdAt: this.#d.clock().toISOString(),
      finishedAt: null as string | null,
    };
    this.#jobs.set(id, { state, owner });
    this.#d.audit.appendSync({
      actor: owner,
      action: 'record.batch_verify_started',
      target: `record-verification:${id}`,
      siteId: auditor.siteId,
      details: { filters, records: found.records.length },
    });
    void (async () => {
      try {
        for (const record of found.records) {
          // One record at a time, yielding between them: the server keeps answering meanwhile.
          await new Promise((resolve) => setImmediate(resolve));
          const parts = await this.#d.records.parts(record.id);
          state.rows.push(verificationRow(parts, await verifyRecord(this.#d, parts)));
          state.checked++;
        }
        state.status = 'done';
      } catch (err) {
        state.status = 'failed';
        state.error = err instanceof Error ? err.message.slice(0, 200) : 'verification failed';
      }
      state.finishedAt = this.#d.clock().toISOString();
      const valid = state.rows.filter((r) => r.valid).length;
      try {
        this.#d.audit.appendSync({
          actor: owner,
          action: 'record.batch_verified',
          target: `record-verification:${id}`,
          siteId: auditor.siteId,
          details: { status: state.status, records: state.checked, valid, invalid: state.checked - valid },
        });
      } catch (err) {
        // Only when the server closed its database under a running job: the job's start stays audited.
        state.status = 'failed';
        state.error = err instanceof Error ? err.message.slice(0, 200) : 'not audited';
      }
    })();
    return { ...state, rows: [...state.rows] };
  }

  /** The job of this auditor (another's is not found: job ids are not shared). */
  job(auditor: UserPrincipal, id: string): RecordVerificationJob {
    this.#purge();
    const job = this.#jobs.get(id);
    if (!job || job.owner !== actorOf(auditor)) throw new NotFoundError(`record verification ${id}`);
    return { ...job.state, rows: [...job.state.rows] };
  }

  /** The finished table as CSV: UTF-8 with a byte-order mark (so Excel reads the Chinese), CRLF lines. */
  csv(auditor: UserPrincipal, id: string): string {
    const job = this.job(auditor, id);
    if (job.status !== 'done')
      throw new ConflictError(`the batch verification is ${job.status}`, 'verification_not_ready');
    const cell = (v: string | number | boolean) => {
      const s = String(v);
      // Quoted when needed; a leading = + - @ would make a spreadsheet run it as a formula.
      const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
      return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    };
    const lines = job.rows.map((r) =>
      [
        r.number,
        r.kind,
        r.title,
        r.archivedAt,
        r.documents,
        r.signatures,
        r.signaturesValid,
        r.recording,
        r.valid ? 'valid' : 'invalid',
        r.problems.join('; '),
      ]
        .map(cell)
        .join(','),
    );
    return `\uFEFF${[CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
  }

  #purge(): void {
    const before = this.#d.clock().getTime() - this.#d.limits.evidenceJobTtlMs;
    for (const [id, job] of this.#jobs)
      if (job.state.finishedAt && Date.parse(job.state.finishedAt) < before) this.#jobs.delete(id);
  }
}
