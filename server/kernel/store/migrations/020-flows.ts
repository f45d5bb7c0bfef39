import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// The flows: identity snapshots, documents with their ordered signers, ceremony details, archived
// records (with retention and legal hold) and evidence-package export jobs.
export const flowsSchema: Migration = {
  version: 20,
  name: 'flows: snapshots, documents, signers, ceremony details, records, evidence jobs',
  ...bothDialects(
    (t) => `
CREATE TABLE snapshots (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  session_id TEXT NOT NULL REFERENCES sessions(id),
  kind TEXT NOT NULL CHECK (kind IN ('face', 'id')),
  media_type TEXT NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg')),
  sha256 TEXT NOT NULL,
  bytes ${t.bigint} NOT NULL,
  offset_ms ${t.bigint} NOT NULL,
  taken_by TEXT NOT NULL REFERENCES users(id),
  taken_at TEXT NOT NULL
);
CREATE INDEX snapshots_case ON snapshots(case_id);
CREATE TABLE documents (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('identity', 'agreement')),
  case_id TEXT REFERENCES cases(id),
  ceremony_id TEXT REFERENCES ceremonies(id),
  session_id TEXT REFERENCES sessions(id),
  title TEXT NOT NULL,
  original_sha256 TEXT NOT NULL,
  current_sha256 TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('signing', 'signed', 'aborted')),
  checkpoint TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((kind = 'identity' AND case_id IS NOT NULL) OR (kind = 'agreement' AND ceremony_id IS NOT NULL))
);
CREATE INDEX documents_case ON documents(case_id);
CREATE INDEX documents_ceremony ON documents(ceremony_id);
CREATE TABLE document_signers (
  document_id TEXT NOT NULL REFERENCES documents(id),
  position INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('applicant', 'witness', 'confirmer', 'official')),
  user_id TEXT REFERENCES users(id),
  guest_session_id TEXT REFERENCES sessions(id),
  display_name TEXT NOT NULL,
  site_id TEXT REFERENCES sites(id),
  box TEXT NOT NULL,
  event_certificate_serial TEXT,
  signed_at TEXT,
  signed_sha256 TEXT,
  PRIMARY KEY (document_id, position),
  CHECK (user_id IS NOT NULL OR guest_session_id IS NOT NULL)
);
CREATE TABLE ceremony_details (
  ceremony_id TEXT PRIMARY KEY REFERENCES ceremonies(id),
  document_id TEXT NOT NULL REFERENCES documents(id),
  session_id TEXT NOT NULL REFERENCES sessions(id),
  host_site_id TEXT REFERENCES sites(id),
  page_count INTEGER NOT NULL,
  current_page INTEGER NOT NULL DEFAULT 1,
  abort_reason TEXT
);
CREATE TABLE ceremony_witnesses (
  ceremony_id TEXT NOT NULL REFERENCES ceremonies(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  PRIMARY KEY (ceremony_id, user_id)
);
CREATE TABLE records (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('case', 'ceremony')),
  case_id TEXT UNIQUE REFERENCES cases(id),
  ceremony_id TEXT UNIQUE REFERENCES ceremonies(id),
  session_id TEXT REFERENCES sessions(id),
  number TEXT NOT NULL,
  title TEXT NOT NULL,
  matter_id TEXT REFERENCES matters(id),
  archived_at TEXT NOT NULL,
  archived_by TEXT NOT NULL,
  retain_until TEXT NOT NULL,
  legal_hold INTEGER NOT NULL DEFAULT 0,
  hold_reason TEXT,
  deleted_at TEXT
);
CREATE INDEX records_archived ON records(archived_at);
CREATE TABLE record_sites (
  record_id TEXT NOT NULL REFERENCES records(id),
  site_id TEXT NOT NULL REFERENCES sites(id),
  PRIMARY KEY (record_id, site_id)
);
CREATE TABLE record_participants (
  record_id TEXT NOT NULL REFERENCES records(id),
  participant TEXT NOT NULL,
  user_id TEXT,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  PRIMARY KEY (record_id, participant)
);
CREATE TABLE evidence_jobs (
  id TEXT PRIMARY KEY,
  record_id TEXT NOT NULL REFERENCES records(id),
  requested_by TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  progress ${t.real} NOT NULL DEFAULT 0,
  sha256 TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
`,
  ),
};
