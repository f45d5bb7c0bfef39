import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// Face match and liveness advice (issue 15 §3). A check keeps the score, threshold, label and model
// it was computed with, and its link in the recording chain; never a face description (biometric
// data stays in the images the recording already holds). The handling clerk's decision on a check
// is its own row: the advice and the human judgement are recorded apart.
export const faceChecksSchema: Migration = {
  version: 43,
  name: 'face match and liveness checks, and the clerk decisions on them',
  ...bothDialects(
    (t) => `
CREATE TABLE face_checks (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  session_id TEXT NOT NULL REFERENCES sessions(id),
  kind TEXT NOT NULL CHECK (kind IN ('match', 'liveness')),
  prompt TEXT CHECK (prompt IN ('turn_head', 'blink')),
  label TEXT NOT NULL CHECK (label IN ('pass', 'doubt', 'no_face')),
  score ${t.real},
  threshold ${t.real} NOT NULL,
  model TEXT NOT NULL,
  model_version TEXT NOT NULL,
  analysis_ms ${t.bigint} NOT NULL,
  details TEXT NOT NULL,
  offset_ms ${t.bigint} NOT NULL,
  chain_index INTEGER NOT NULL,
  chain_hash TEXT NOT NULL,
  checked_by TEXT NOT NULL REFERENCES users(id),
  checked_at TEXT NOT NULL
);
CREATE INDEX face_checks_case ON face_checks(case_id, checked_at);
CREATE TABLE face_check_decisions (
  check_id TEXT PRIMARY KEY REFERENCES face_checks(id) ON DELETE CASCADE,
  decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
  decided_by TEXT NOT NULL REFERENCES users(id),
  decided_at TEXT NOT NULL,
  chain_index INTEGER NOT NULL,
  chain_hash TEXT NOT NULL
);
`,
  ),
};
