import { bothDialects } from './column-types.js';
import type { Migration } from './index.js';

// Sites, partnerships (通办协议) with their matter catalogues, and users. Cases, sessions and the
// rest come in later migrations owned by their modules.
export const coreSchema: Migration = {
  version: 1,
  name: 'core: sites, matters, partnerships, users',
  ...bothDialects(
    () => `
CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL,
  region TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE matters (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL,
  category TEXT NOT NULL CHECK (category IN ('个人', '法人')),
  department TEXT NOT NULL,
  requires_identity_confirmation INTEGER NOT NULL DEFAULT 1,
  retention_days INTEGER NOT NULL DEFAULT 3650
);
CREATE TABLE partnerships (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('跨省通办', '跨市通办')),
  signed_on TEXT NOT NULL,
  description TEXT NOT NULL
);
CREATE TABLE partnership_sites (
  partnership_id TEXT NOT NULL REFERENCES partnerships(id),
  site_id TEXT NOT NULL REFERENCES sites(id),
  PRIMARY KEY (partnership_id, site_id)
);
CREATE TABLE partnership_matters (
  partnership_id TEXT NOT NULL REFERENCES partnerships(id),
  matter_id TEXT NOT NULL REFERENCES matters(id),
  PRIMARY KEY (partnership_id, matter_id)
);
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('clerk', 'official', 'auditor', 'admin')),
  site_id TEXT REFERENCES sites(id),
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
`,
  ),
};
