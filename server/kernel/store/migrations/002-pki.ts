import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// The platform PKI (server/pki): CAs, every issued certificate with its encrypted private key,
// revocations, the current CRL of each CA, PIN failure counters and the TSA serial counter.
// Sites are referenced by id without a foreign key: `pki init` may run before the catalogue exists.
export const pkiSchema: Migration = {
  version: 2,
  name: 'pki: CAs, certificates, encrypted keys, revocations, CRLs, PIN lock-out, TSA serials',
  ...bothDialects(
    (t) => `
CREATE TABLE pki_certificates (
  id TEXT PRIMARY KEY,
  serial TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('ca', 'user', 'event', 'tsa', 'seal', 'tls')),
  ca_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  user_id TEXT,
  event_id TEXT,
  role TEXT,
  site_id TEXT,
  hostnames TEXT,
  not_before TEXT NOT NULL,
  not_after TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('valid', 'revoked', 'superseded')),
  der ${t.blob} NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX pki_certificates_user ON pki_certificates(user_id, created_at);
CREATE INDEX pki_certificates_event ON pki_certificates(event_id, created_at);
CREATE INDEX pki_certificates_kind ON pki_certificates(kind, status);

CREATE TABLE pki_keys (
  certificate_id TEXT PRIMARY KEY REFERENCES pki_certificates(id),
  protection TEXT NOT NULL CHECK (protection IN ('pin', 'master-key')),
  record TEXT NOT NULL
);

CREATE TABLE pki_cas (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('root', 'site')),
  name TEXT NOT NULL,
  certificate_id TEXT NOT NULL UNIQUE REFERENCES pki_certificates(id),
  created_at TEXT NOT NULL
);

CREATE TABLE pki_revocations (
  certificate_id TEXT PRIMARY KEY REFERENCES pki_certificates(id),
  ca_id TEXT NOT NULL REFERENCES pki_cas(id),
  serial TEXT NOT NULL,
  reason TEXT NOT NULL,
  revoked_at TEXT NOT NULL
);
CREATE INDEX pki_revocations_ca ON pki_revocations(ca_id);

CREATE TABLE pki_crls (
  ca_id TEXT PRIMARY KEY REFERENCES pki_cas(id),
  number INTEGER NOT NULL,
  this_update TEXT NOT NULL,
  next_update TEXT NOT NULL,
  der ${t.blob} NOT NULL
);

CREATE TABLE pki_pin_state (
  user_id TEXT PRIMARY KEY,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_at TEXT,
  last_failure_at TEXT
);

CREATE TABLE pki_counters (
  name TEXT PRIMARY KEY,
  value ${t.bigint} NOT NULL
);
`,
  ),
};
