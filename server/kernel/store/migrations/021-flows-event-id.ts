import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// The applicant's event certificate is named by an event id that binds it to the case and the
// document (certificate subject UID); the signer row keeps it to unlock that key when signing.
export const flowsEventIdSchema: Migration = {
  version: 21,
  name: 'flows: event id of the applicant signer',
  ...bothDialects(() => `ALTER TABLE document_signers ADD COLUMN event_id TEXT;`),
};
