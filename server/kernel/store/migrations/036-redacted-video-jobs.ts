import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// Evidence jobs also render redacted copies of a record's playback video (issue 16 §2): same
// owner limits, progress and time to live as evidence packages; the kind says which file a job makes.
export const redactedVideoJobsSchema: Migration = {
  version: 36,
  name: 'evidence jobs: redacted playback video',
  ...bothDialects(
    () => `
ALTER TABLE evidence_jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'package' CHECK (kind IN ('package', 'redacted_video'));
`,
  ),
};
