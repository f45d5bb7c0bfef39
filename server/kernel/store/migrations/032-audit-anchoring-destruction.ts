import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// Audit anchoring: each checkpoint (whose statement now names its sequence number and the previous
// checkpoint's hash) also carries an RFC 3161 token over its statement. Checkpoints sealed before
// this version keep a NULL token and are verified as before. Documents of a deleted record are
// marked destroyed (their rows stay for the signers and the audit trail; the PDFs are gone).
export const auditAnchoringSchema: Migration = {
  version: 32,
  name: 'audit: chained, time-stamped checkpoints; destroyed documents',
  ...bothDialects(
    (t) => `
ALTER TABLE audit_checkpoints ADD COLUMN timestamp_token ${t.blob};
ALTER TABLE documents ADD COLUMN destroyed_at TEXT;
`,
  ),
};
