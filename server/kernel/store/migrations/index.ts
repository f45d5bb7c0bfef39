// Versioned schema migrations, applied in order by Database.open. Append new versions; never edit
// one that has shipped. Each part of the server owns its own file.
import { coreSchema } from './001-core.js';
import { pkiSchema } from './002-pki.js';
import { deskSchema } from './003-desk.js';
import { authSchema } from './004-auth.js';
import { auditSchema } from './005-audit.js';
import { recordingsSchema } from './010-recordings.js';
import { flowsSchema } from './020-flows.js';
import { flowsEventIdSchema } from './021-flows-event-id.js';
import { accountsSchema } from './030-accounts.js';
import { guestBindingSchema } from './031-guest-binding.js';
import { auditAnchoringSchema } from './032-audit-anchoring-destruction.js';
import { pkiTokenKeysSchema } from './033-pki-token-keys.js';
import { sessionPresenceSchema } from './034-session-presence.js';
import { documentVerificationSchema } from './035-document-verification.js';
import { redactedVideoJobsSchema } from './036-redacted-video-jobs.js';
import { retentionLtvSchema } from './037-retention-ltv.js';
import { ratingsSchema } from './038-ratings.js';
import { scriptsMaterialsSchema } from './041-scripts-materials.js';
import { idReadsSchema } from './042-id-reads.js';
import { faceChecksSchema } from './043-face-checks.js';
import { pkiIssueOrderSchema } from './044-pki-issue-order.js';
import { recordingFilesSchema } from './045-recording-files.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The SQLite text. */
  readonly sql: string;
  /** The same schema for PostgreSQL (schema-parity.test.ts compares what the two make). */
  readonly postgres?: string;
}

export const migrations: readonly Migration[] = [
  coreSchema,
  pkiSchema,
  deskSchema,
  authSchema,
  auditSchema,
  recordingsSchema,
  flowsSchema,
  flowsEventIdSchema,
  accountsSchema,
  guestBindingSchema,
  auditAnchoringSchema,
  pkiTokenKeysSchema,
  sessionPresenceSchema,
  documentVerificationSchema,
  redactedVideoJobsSchema,
  retentionLtvSchema,
  ratingsSchema,
  scriptsMaterialsSchema,
  idReadsSchema,
  faceChecksSchema,
  pkiIssueOrderSchema,
  recordingFilesSchema,
];
