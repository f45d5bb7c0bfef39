import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// ID card reading (issue 15 §2): what tesseract read from each server-captured ID snapshot, the
// checks made of it and the chain link that holds the result. The number is kept masked only (its
// match with the case's applicant is a check result), like the case's own.
export const idReadsSchema: Migration = {
  version: 42,
  name: 'ID card reads (OCR advice)',
  ...bothDialects(
    (t) => `
CREATE TABLE id_reads (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  session_id TEXT NOT NULL,
  snapshot_id TEXT NOT NULL REFERENCES snapshots(id),
  side TEXT NOT NULL CHECK (side IN ('front', 'back', 'unknown')),
  fields_json TEXT NOT NULL,
  checks_json TEXT NOT NULL,
  engine TEXT NOT NULL,
  elapsed_ms ${t.bigint} NOT NULL,
  chain_index INTEGER,
  chain_hash TEXT,
  read_by TEXT NOT NULL,
  read_at TEXT NOT NULL
);
CREATE INDEX id_reads_case ON id_reads(case_id, read_at);
`,
  ),
};
