import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// The hash-chained audit log and the sealed checkpoints of its head. Rows are only ever inserted.
export const auditSchema: Migration = {
  version: 5,
  name: 'audit: hash-chained log, sealed checkpoints',
  ...bothDialects(
    (t) => `
CREATE TABLE audit_log (
  id ${t.bigint} PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  site_id TEXT,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_actor ON audit_log(actor);
CREATE INDEX audit_log_action ON audit_log(action);
CREATE INDEX audit_log_target ON audit_log(target);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE TABLE audit_checkpoints (
  id ${t.serial},
  entry_id ${t.bigint} NOT NULL,
  head_hash TEXT NOT NULL,
  at TEXT NOT NULL,
  statement TEXT NOT NULL,
  signature ${t.blob} NOT NULL
);
`,
  ),
};
