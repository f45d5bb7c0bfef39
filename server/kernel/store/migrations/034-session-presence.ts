import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// Who was in a session's live room, and when: joins, leaves and recording consent as the media plane
// saw them (identity confirmation requires the applicant and both clerks present). Snapshots are
// frames the server took from the recording; each is a link of the recording's hash chain.
export const sessionPresenceSchema: Migration = {
  version: 34,
  name: 'session presence; snapshots as links of the recording chain',
  ...bothDialects(
    (t) => `
CREATE TABLE session_presence (
  seq ${t.serial},
  session_id TEXT NOT NULL REFERENCES sessions(id),
  participant_id TEXT NOT NULL,
  event TEXT NOT NULL CHECK (event IN ('joined', 'left', 'consented')),
  at TEXT NOT NULL
);
CREATE INDEX session_presence_session ON session_presence(session_id, participant_id, seq);
ALTER TABLE snapshots ADD COLUMN chain_index INTEGER;
ALTER TABLE snapshots ADD COLUMN chain_hash TEXT;
ALTER TABLE snapshots ADD COLUMN source_segment INTEGER;
`,
  ),
};
