import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// Issue 15 §1 and §4: each matter's 意愿确认 script in versions (old versions kept, a case's run names
// the version it used), every prompt shown and answer marked (with its recording chain link; a prompt
// that re-asks an answered step names the answer it corrects), and
// the materials the originating clerk captured during the session.
export const scriptsMaterialsSchema: Migration = {
  version: 41,
  name: 'consent scripts, script runs and case materials',
  ...bothDialects(
    (t) => `
CREATE TABLE matter_scripts (
  matter_id TEXT NOT NULL REFERENCES matters(id),
  version INTEGER NOT NULL,
  steps_json TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (matter_id, version)
);
CREATE TABLE script_runs (
  case_id TEXT PRIMARY KEY REFERENCES cases(id),
  session_id TEXT NOT NULL,
  matter_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  started_by TEXT NOT NULL,
  started_at TEXT NOT NULL,
  FOREIGN KEY (matter_id, version) REFERENCES matter_scripts(matter_id, version)
);
CREATE TABLE script_events (
  id ${t.serial},
  case_id TEXT NOT NULL REFERENCES script_runs(case_id),
  step INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('prompt', 'answer')),
  answer TEXT CHECK (answer IN ('yes', 'no', 'repeat')),
  corrects_chain_index INTEGER,
  offset_ms ${t.bigint} NOT NULL,
  chain_index INTEGER NOT NULL,
  chain_hash TEXT NOT NULL,
  by_actor TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX script_events_case ON script_events(case_id, id);
CREATE TABLE materials (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  session_id TEXT NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('upload', 'camera')),
  sha256 TEXT NOT NULL,
  bytes ${t.bigint} NOT NULL,
  offset_ms ${t.bigint} NOT NULL,
  chain_index INTEGER NOT NULL,
  chain_hash TEXT NOT NULL,
  taken_by TEXT NOT NULL,
  taken_at TEXT NOT NULL
);
CREATE INDEX materials_case ON materials(case_id, taken_at);
`,
  ),
};
