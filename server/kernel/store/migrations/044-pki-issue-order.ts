import type { Migration } from './index.js';

// The order certificates were issued in, for "the newest certificate of a user" when several share a
// creation millisecond: SQLite's rowid gave it, PostgreSQL has none. Taken from the counter
// `certificate_seq` at issue; existing rows numbered in their old order.
export const pkiIssueOrderSchema: Migration = {
  version: 44,
  name: 'pki: issue order of certificates',
  sql: `
ALTER TABLE pki_certificates ADD COLUMN issued_seq INTEGER NOT NULL DEFAULT 0;
UPDATE pki_certificates SET issued_seq = rowid;
INSERT INTO pki_counters (name, value) SELECT 'certificate_seq', COALESCE(MAX(issued_seq), 0) FROM pki_certificates;
`,
  postgres: `
ALTER TABLE pki_certificates ADD COLUMN issued_seq BIGINT NOT NULL DEFAULT 0;
UPDATE pki_certificates c SET issued_seq = o.n
  FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM pki_certificates) o WHERE o.id = c.id;
INSERT INTO pki_counters (name, value) SELECT 'certificate_seq', COALESCE(MAX(issued_seq), 0) FROM pki_certificates;
`,
};
