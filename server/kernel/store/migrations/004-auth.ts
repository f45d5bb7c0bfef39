import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// Login sessions (the cookie token is stored only as its SHA-256) and rate-limit windows, so a
// restart neither logs everyone out nor resets an attacker's attempt count.
export const authSchema: Migration = {
  version: 4,
  name: 'auth: login sessions, rate limits',
  ...bothDialects(
    (t) => `
CREATE TABLE login_sessions (
  token_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('user', 'guest')),
  user_id TEXT REFERENCES users(id),
  session_id TEXT REFERENCES sessions(id),
  case_id TEXT REFERENCES cases(id),
  display_name TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT,
  CHECK ((kind = 'user' AND user_id IS NOT NULL) OR (kind = 'guest' AND session_id IS NOT NULL))
);
CREATE INDEX login_sessions_user ON login_sessions(user_id);
CREATE TABLE rate_limits (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  window_start ${t.bigint} NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (bucket, key)
);
`,
  ),
};
