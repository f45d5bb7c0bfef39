import type { Migration } from './index.js';

// Audit anchoring: each checkpoint (whose statement now names its sequence number and the previous
// checkpoint's hash) also carries an RFC 3161 token over its statement. Checkpoints sealed before
// this version keep a NULL token and are verified as before.
export const auditAnchoringSchema: Migration = {
  version: 32,
  name: 'audit: chained, time-stamped checkpoints',
  sql: `
ALTER TABLE audit_checkpoints ADD COLUMN timestamp_token BLOB;
`,
};
