import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// Cases and their history, video sessions with participants, applicant invitations and the basic
// ceremony row (the flows add their own columns and tables in later migrations).
export const deskSchema: Migration = {
  version: 3,
  name: 'desk: cases, case events, sessions, participants, invitations, ceremonies',
  ...bothDialects(
    (t) => `
CREATE TABLE case_numbers (
  year INTEGER PRIMARY KEY,
  last INTEGER NOT NULL
);
CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  matter_id TEXT NOT NULL REFERENCES matters(id),
  originating_site_id TEXT NOT NULL REFERENCES sites(id),
  handling_site_id TEXT NOT NULL REFERENCES sites(id),
  partnership_id TEXT NOT NULL REFERENCES partnerships(id),
  applicant_name TEXT NOT NULL,
  id_hmac TEXT NOT NULL,
  id_masked TEXT NOT NULL,
  phone_masked TEXT,
  status TEXT NOT NULL CHECK (status IN
    ('created','queued','in_session','identity_confirmed','signed','archived','rejected','cancelled')),
  created_by TEXT NOT NULL REFERENCES users(id),
  accepted_by TEXT REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX cases_handling ON cases(handling_site_id, status);
CREATE INDEX cases_originating ON cases(originating_site_id, status);
CREATE TABLE case_events (
  id ${t.serial},
  case_id TEXT NOT NULL REFERENCES cases(id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  note TEXT
);
CREATE INDEX case_events_case ON case_events(case_id, id);
CREATE TABLE ceremonies (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  host_user_id TEXT NOT NULL REFERENCES users(id),
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('case', 'ceremony')),
  case_id TEXT REFERENCES cases(id),
  ceremony_id TEXT REFERENCES ceremonies(id),
  status TEXT NOT NULL CHECK (status IN ('open', 'ended')),
  started_at TEXT NOT NULL,
  ended_at TEXT,
  CHECK ((kind = 'case' AND case_id IS NOT NULL) OR (kind = 'ceremony' AND ceremony_id IS NOT NULL))
);
CREATE INDEX sessions_case ON sessions(case_id);
CREATE TABLE session_participants (
  session_id TEXT NOT NULL REFERENCES sessions(id),
  participant_id TEXT NOT NULL,
  user_id TEXT REFERENCES users(id),
  guest INTEGER NOT NULL DEFAULT 0,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  added_at TEXT NOT NULL,
  PRIMARY KEY (session_id, participant_id)
);
CREATE TABLE invitations (
  code_hash TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  case_id TEXT REFERENCES cases(id),
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
`,
  ),
};
