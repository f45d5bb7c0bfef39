import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// The retention console and long-term validation renewal (issue 16 §4, §5): who set or cleared a
// legal hold and when (the reason is mandatory from now on), the retention of ceremony records per
// ceremony kind (matters keep theirs in matters.retention_days), and each renewal of a document's
// archive timestamp: the revision it replaced and the one it made (both blobs are kept).
export const retentionLtvSchema: Migration = {
  version: 37,
  name: 'retention per ceremony kind, legal hold by whom and when, LTV renewals',
  ...bothDialects(
    () => `
ALTER TABLE records ADD COLUMN hold_by TEXT;
ALTER TABLE records ADD COLUMN hold_at TEXT;
CREATE TABLE ceremony_retention (
  kind TEXT PRIMARY KEY,
  retention_days INTEGER NOT NULL CHECK (retention_days > 0),
  updated_at TEXT,
  updated_by TEXT
);
INSERT INTO ceremony_retention (kind, retention_days) VALUES ('agreement', 10950);
CREATE TABLE ltv_renewals (
  id TEXT PRIMARY KEY,
  record_id TEXT NOT NULL REFERENCES records(id),
  document_id TEXT NOT NULL REFERENCES documents(id),
  previous_sha256 TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  at TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (reason IN ('tsa_certificate_expiring', 'algorithm_weakening')),
  tsa TEXT NOT NULL,
  timestamp_time TEXT NOT NULL,
  digest TEXT NOT NULL
);
CREATE INDEX ltv_renewals_record ON ltv_renewals(record_id, at);
`,
  ),
};
