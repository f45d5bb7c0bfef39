import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// 好差评 (issue 16 §6): one rating per case by its applicant, and the one-time rating token that lets
// the applicant rate after the guest login has ended with the session (only its SHA-256 is kept).
export const ratingsSchema: Migration = {
  version: 38,
  name: 'service ratings (好差评) and rating tokens',
  ...bothDialects(
    () => `
CREATE TABLE rating_tokens (
  case_id TEXT PRIMARY KEY REFERENCES cases(id),
  guest_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  issued_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE TABLE ratings (
  case_id TEXT PRIMARY KEY REFERENCES cases(id),
  guest_id TEXT NOT NULL,
  score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment TEXT,
  channel TEXT NOT NULL,
  rated_at TEXT NOT NULL
);
CREATE INDEX ratings_rated_at ON ratings(rated_at);
`,
  ),
};
