import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// Public verification (issue 16 §1): the hash the QR stamp of a document carries (SHA-256 of the
// document before the stamp, see documents/verification-stamp.ts), and indexes for looking up any
// hash a document revision has (unstamped, base, after each signature, current).
export const documentVerificationSchema: Migration = {
  version: 35,
  name: 'documents: verification hash of the QR stamp; hash look-up indexes',
  ...bothDialects(
    () => `
ALTER TABLE documents ADD COLUMN verify_sha256 TEXT;
CREATE INDEX documents_verify_sha256 ON documents(verify_sha256);
CREATE INDEX documents_original_sha256 ON documents(original_sha256);
CREATE INDEX documents_current_sha256 ON documents(current_sha256);
CREATE INDEX document_signers_signed_sha256 ON document_signers(signed_sha256);
`,
  ),
};
