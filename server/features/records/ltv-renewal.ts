// Long-term validation renewal of archived PDFs (PAdES-LTA): run on a timer, it finds each live
// record's completed documents whose last time-stamp nears its end (its TSA certificate, or its
// hash algorithm per the configured list, within the margin) and appends current CA certificates,
// fresh CRLs and a new document timestamp (signing/ renewLtv). The result is a new blob revision
// of the document; the one it replaces is kept and both are listed in ltv_renewals, so the record's
// deletion destroys them too (record-blobs.ts).
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { Clock } from '../../kernel/clock.js';
import type { SigningPki } from '../../kernel/pki/signing-pki.js';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { Database } from '../../kernel/store/Database.js';
import type { DocumentStore } from '../documents/index.js';
import {
  lastTimestamp,
  renewalDigest,
  renewalReason,
  renewLtv,
  type RenewalPolicy,
  type RenewalReason,
  type WeakeningAlgorithm,
} from '../../../signing/sign/ltv-renewal.js';
import type { LtvRenewal } from '../../../protocol/http/retention.js';
import type { RecordService } from './RecordService.js';

const DAY_MS = 86_400_000;

export interface LtvRenewerDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly blobs: BlobStore;
  readonly pki: SigningPki;
  readonly documents: DocumentStore;
  readonly records: RecordService;
  readonly marginDays: number;
  readonly weakening: readonly WeakeningAlgorithm[];
}

interface Row {
  id: string;
  document_id: string;
  previous_sha256: string;
  sha256: string;
  at: string;
  reason: RenewalReason;
  tsa: string;
  timestamp_time: string;
  digest: string;
}

export class LtvRenewer {
  readonly #d: LtvRenewerDeps;
  /** One run at a time: the timer and a caller (tests, CLI) must not renew the same revision twice. */
  #running: Promise<LtvRenewal[]> | undefined;

  constructor(deps: LtvRenewerDeps) {
    this.#d = deps;
  }

  policy(): RenewalPolicy {
    return { now: this.#d.clock(), marginDays: this.#d.marginDays, weakening: this.#d.weakening };
  }

  /** Renews every due document of every live record; returns the renewals made. */
  run(): Promise<LtvRenewal[]> {
    this.#running ??= this.#run().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #run(): Promise<LtvRenewal[]> {
    const { records } = this.#d;
    const made: LtvRenewal[] = [];
    for (const record of await records.store.live()) {
      for (const doc of await records.documentsOf(record)) {
        if (doc.status !== 'signed') continue;
        const renewal = await this.#renewIfDue(record.id, doc.id, doc.currentSha256);
        if (renewal) made.push(renewal);
      }
    }
    return made;
  }

  async #renewIfDue(recordId: string, documentId: string, sha256: string): Promise<LtvRenewal | undefined> {
    const { blobs, pki, documents, db, audit } = this.#d;
    const pdf = await blobs.get(sha256);
    const last = lastTimestamp(pdf);
    const policy = this.policy();
    const reason = last && renewalReason(last, policy);
    if (!reason) return undefined;
    const renewed = await renewLtv(pdf, {
      validation: { certificates: await pki.caCertificates(), crls: (await pki.crls()).map((c) => c.der) },
      // The new timestamp's TSA must itself outlive the margin, or the next run would renew again.
      timeStamper: pki.timeStamper({ validBeyond: new Date(policy.now.getTime() + (policy.marginDays + 1) * DAY_MS) }),
      digest: renewalDigest(policy),
    });
    const fresh = lastTimestamp(renewed)!;
    const newSha = await blobs.put(renewed);
    const at = this.#d.clock().toISOString();
    const renewal: LtvRenewal = {
      id: randomUUID(),
      documentId,
      previousSha256: sha256,
      sha256: newSha,
      at,
      reason,
      tsa: fresh.tsa?.name ?? 'unknown',
      timestampTime: fresh.time,
      digest: fresh.digest ?? 'unknown',
    };
    const applied = await db.transaction(async () => {
      // Still live (the record's row locked against a deletion on another node) and still the revision
      // we renewed (a compare-and-set): a record deleted meanwhile must not get a new copy.
      if ((await this.#d.records.store.getAnyForUpdate(recordId)).deletedAt) return false;
      if (!(await documents.setRevision(documentId, sha256, newSha, 'signed', at))) return false;
      await db.run(
        `INSERT INTO ltv_renewals (id, record_id, document_id, previous_sha256, sha256, at, reason, tsa, timestamp_time, digest)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          renewal.id,
          recordId,
          documentId,
          sha256,
          newSha,
          at,
          reason,
          renewal.tsa,
          renewal.timestampTime,
          renewal.digest,
        ],
      );
      await audit.append({
        actor: 'system',
        action: 'record.ltv_renewed',
        target: `record:${recordId}`,
        details: {
          document: documentId,
          reason,
          previous: sha256,
          sha256: newSha,
          tsa: renewal.tsa,
          digest: renewal.digest,
          replacedTimestamp: { time: last!.time, tsa: last!.tsa?.name, tsaNotAfter: last!.tsa?.notAfter },
        },
      });
      return true;
    }, 'immediate');
    if (applied) return renewal;
    await blobs.destroy(newSha);
    return undefined;
  }

  async history(recordId: string): Promise<LtvRenewal[]> {
    const rows = await this.#d.db.all<Row>('SELECT * FROM ltv_renewals WHERE record_id = ? ORDER BY at, id', [
      recordId,
    ]);
    return rows.map((r) => ({
      id: r.id,
      documentId: r.document_id,
      previousSha256: r.previous_sha256,
      sha256: r.sha256,
      at: r.at,
      reason: r.reason,
      tsa: r.tsa,
      timestampTime: r.timestamp_time,
      digest: r.digest,
    }));
  }
}
