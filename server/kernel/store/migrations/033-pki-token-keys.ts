import type { Migration } from './index.js';

// Issue 12: CA, TSA and seal keys live in the PKCS#11 token ('token': the record is the key's
// label there); event and TLS keys are sealed under a token-derived key ('wrapping-key'); user keys
// under the PIN and a token secret ('pin'). 'master-key' rows of older data directories stay
// readable as rows but their keys are refused: such a directory is re-initialised, not migrated.
export const pkiTokenKeysSchema: Migration = {
  version: 33,
  name: 'pki: keys in the PKCS#11 token',
  sql: `
CREATE TABLE pki_keys_033 (
  certificate_id TEXT PRIMARY KEY REFERENCES pki_certificates(id),
  protection TEXT NOT NULL CHECK (protection IN ('pin', 'token', 'wrapping-key', 'master-key')),
  record TEXT NOT NULL
);
INSERT INTO pki_keys_033 (certificate_id, protection, record) SELECT certificate_id, protection, record FROM pki_keys;
DROP TABLE pki_keys;
ALTER TABLE pki_keys_033 RENAME TO pki_keys;
`,
  // PostgreSQL changes a CHECK in place (the column constraint's generated name).
  postgres: `
ALTER TABLE pki_keys DROP CONSTRAINT pki_keys_protection_check;
ALTER TABLE pki_keys ADD CONSTRAINT pki_keys_protection_check
  CHECK (protection IN ('pin', 'token', 'wrapping-key', 'master-key'));
`,
};
