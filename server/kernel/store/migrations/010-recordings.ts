import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// Server-side recordings (server/features/recording): one row per session's recording, its chained
// segments in order, who appeared in it, and the checkpoints documents embedded. The files live in
// <dataDir>/recordings/<session>/; these rows index them. No FK to sessions: the recorder also
// seals recordings of sessions it only knows from disk after a crash.
export const recordingsSchema: Migration = {
  version: 10,
  name: 'recordings: recordings, segments, participants, checkpoints',
  ...bothDialects(
    (t) => `
CREATE TABLE recordings (
  session_id TEXT PRIMARY KEY,
  dir TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('recording', 'sealed', 'interrupted')),
  started_at TEXT NOT NULL,
  ended_at TEXT,
  genesis TEXT NOT NULL,
  head TEXT NOT NULL,
  segment_count INTEGER NOT NULL DEFAULT 0,
  manifest_sha256 TEXT,
  seal_present INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE recording_segments (
  session_id TEXT NOT NULL REFERENCES recordings(session_id),
  idx INTEGER NOT NULL,
  participant_id TEXT NOT NULL,
  track TEXT NOT NULL,
  file TEXT NOT NULL,
  bytes ${t.bigint} NOT NULL,
  sha256 TEXT NOT NULL,
  start_ms ${t.bigint} NOT NULL,
  end_ms ${t.bigint} NOT NULL,
  chain_hash TEXT NOT NULL,
  PRIMARY KEY (session_id, idx),
  UNIQUE (session_id, file)
);
CREATE TABLE recording_participants (
  session_id TEXT NOT NULL REFERENCES recordings(session_id),
  participant_id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  first_seen_ms ${t.bigint} NOT NULL,
  PRIMARY KEY (session_id, participant_id)
);
CREATE TABLE recording_checkpoints (
  id ${t.serial},
  session_id TEXT NOT NULL REFERENCES recordings(session_id),
  head TEXT NOT NULL,
  segment_count INTEGER NOT NULL,
  offset_ms ${t.bigint} NOT NULL,
  taken_at TEXT NOT NULL
);
CREATE INDEX recording_checkpoints_session ON recording_checkpoints(session_id);
`,
  ),
};
