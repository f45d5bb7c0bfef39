// Which blobs a record's deletion destroys: every revision of its documents (the original, each
// signer's revision, the completed PDF, each long-term validation renewal), its snapshots, materials and the
// evidence packages exported from it, less any blob that something else still references (the
// store is content-addressed, so two records may share one).
import type { Database } from '../../kernel/store/Database.js';
import type { RecordRow } from './record-store.js';

/** Every blob reference with the case, ceremony and record it belongs to. */
const REFERENCES = `
  SELECT original_sha256 AS sha, case_id, ceremony_id, NULL AS record_id FROM documents
  UNION ALL SELECT current_sha256, case_id, ceremony_id, NULL FROM documents
  UNION ALL SELECT s.signed_sha256, d.case_id, d.ceremony_id, NULL
    FROM document_signers s JOIN documents d ON d.id = s.document_id
  UNION ALL SELECT sha256, case_id, NULL, NULL FROM snapshots
  UNION ALL SELECT sha256, case_id, NULL, NULL FROM materials
  UNION ALL SELECT sha256, NULL, NULL, record_id FROM evidence_jobs
  UNION ALL SELECT previous_sha256, NULL, NULL, record_id FROM ltv_renewals
  UNION ALL SELECT sha256, NULL, NULL, record_id FROM ltv_renewals`;

/** Null-safe (IS NOT DISTINCT FROM, SQL's spelling of SQLite's IS), so that NOT MINE is true for every other row. */
const MINE = `((case_id IS NOT NULL AND case_id IS NOT DISTINCT FROM @caseId)
  OR (ceremony_id IS NOT NULL AND ceremony_id IS NOT DISTINCT FROM @ceremonyId)
  OR record_id IS NOT DISTINCT FROM @recordId)`;

export async function blobsOnlyOf(db: Database, record: RecordRow): Promise<string[]> {
  const args = { caseId: record.caseId, ceremonyId: record.ceremonyId, recordId: record.id };
  // PostgreSQL before 16 wants every subquery in FROM named.
  const rows = await db.all<{ sha: string }>(
    `SELECT DISTINCT sha FROM (${REFERENCES}) mine WHERE sha IS NOT NULL AND ${MINE}
     AND sha NOT IN (SELECT sha FROM (${REFERENCES}) other WHERE sha IS NOT NULL AND NOT ${MINE})`,
    args,
  );
  return rows.map((r) => r.sha);
}

/**
 * The record's stored evidence — its documents in every revision and its snapshots, shared with
 * another record or not — that Object Lock keeps until the end of retention. Evidence packages are
 * left out: copies made on demand that expire with their export job.
 */
export async function evidenceBlobsOf(db: Database, record: RecordRow): Promise<string[]> {
  const args = { caseId: record.caseId, ceremonyId: record.ceremonyId, recordId: record.id };
  const rows = await db.all<{ sha: string }>(
    `SELECT DISTINCT sha FROM (${REFERENCES}) mine WHERE sha IS NOT NULL AND ${MINE}
     AND sha NOT IN (SELECT sha256 FROM evidence_jobs WHERE sha256 IS NOT NULL)`,
    args,
  );
  return rows.map((r) => r.sha);
}
