import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// Recordings in object storage (issue 14 §3): which file of a recording's folder is stored as which
// blob (S3 in cluster mode), so that any node can bring the folder back from the bucket and a
// record's retention can lock every object of its recording.
export const recordingFilesSchema: Migration = {
  version: 45,
  name: 'recording files stored as blobs',
  ...bothDialects(
    (t) => `
CREATE TABLE recording_files (
  session_id TEXT NOT NULL REFERENCES recordings(session_id),
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes ${t.bigint} NOT NULL,
  stored_at TEXT NOT NULL,
  PRIMARY KEY (session_id, name)
);
CREATE INDEX recording_files_sha256 ON recording_files(sha256);
`,
  ),
};
