import type { Migration } from './index.js';

// Each invitation is its own guest principal (`guest:<invitation id>`): invitations get an id and can
// be revoked (a newer invitation or the session's end revokes the unused ones); guest logins and the
// applicant signer slot name that guest; a session admits one applicant guest. Guest logins from
// before (no guest id, shared by every code of a session) are ended.
export const guestBindingSchema: Migration = {
  version: 31,
  name: 'cases: one guest principal per invitation, revocable codes, applicant slot bound to its guest',
  sql: `
ALTER TABLE invitations ADD COLUMN id TEXT;
UPDATE invitations SET id = lower(hex(randomblob(12))) WHERE id IS NULL;
CREATE UNIQUE INDEX invitations_id ON invitations(id);
CREATE INDEX invitations_session ON invitations(session_id);
ALTER TABLE invitations ADD COLUMN revoked_at TEXT;
ALTER TABLE login_sessions ADD COLUMN guest_id TEXT;
UPDATE login_sessions SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE kind = 'guest' AND revoked_at IS NULL;
CREATE INDEX login_sessions_session ON login_sessions(session_id);
ALTER TABLE document_signers ADD COLUMN guest_id TEXT;
CREATE UNIQUE INDEX session_one_applicant_guest ON session_participants(session_id) WHERE guest = 1;
`,
  // The same without SQLite's randomblob and strftime (24 random hex digits; the time in ISO form).
  postgres: `
ALTER TABLE invitations ADD COLUMN id TEXT;
UPDATE invitations SET id = substr(md5(random()::text || clock_timestamp()::text), 1, 24) WHERE id IS NULL;
CREATE UNIQUE INDEX invitations_id ON invitations(id);
CREATE INDEX invitations_session ON invitations(session_id);
ALTER TABLE invitations ADD COLUMN revoked_at TEXT;
ALTER TABLE login_sessions ADD COLUMN guest_id TEXT;
UPDATE login_sessions SET revoked_at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  WHERE kind = 'guest' AND revoked_at IS NULL;
CREATE INDEX login_sessions_session ON login_sessions(session_id);
ALTER TABLE document_signers ADD COLUMN guest_id TEXT;
CREATE UNIQUE INDEX session_one_applicant_guest ON session_participants(session_id) WHERE guest = 1;
`,
};
