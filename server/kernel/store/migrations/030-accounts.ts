import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// Accounts (issue 12 §5): a password set by an admin must be changed at first login; signing PINs
// are chosen by their owner through a one-time enrolment code (only its SHA-256 is kept); failed
// logins per account, for backoff and a temporary lock beside the per-address limit.
export const accountsSchema: Migration = {
  version: 30,
  name: 'accounts: forced password change, PIN enrolment codes, per-account login throttle',
  ...bothDialects(
    (t) => `
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
CREATE TABLE pin_enrolments (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  code_hash TEXT NOT NULL,
  issued_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE TABLE login_account_throttle (
  account TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_failure_ms ${t.bigint} NOT NULL,
  locked_until_ms ${t.bigint}
);
`,
  ),
};
