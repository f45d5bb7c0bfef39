// `tongban pki init | issue | revoke | export-root` (DESIGN §9): the platform PKI of a data
// directory. PINs are taken from the command line as DESIGN specifies and never printed.
import { existsSync } from 'node:fs';
import { PkiError } from '../../../certs/errors.js';
import { isValidPin } from '../../../certs/keystore.js';
import { demoSites } from '../../demo/demo-data.js';
import { openPlatformPki } from '../../kernel/pki/open-platform-pki.js';
import type { PlatformPki } from '../../kernel/pki/PlatformPki.js';
import { USER_ROLES, type UserRole } from '../../kernel/pki/types.js';
import { Database } from '../../kernel/store/Database.js';
import { databaseFile } from '../../kernel/store/paths.js';
import { cliConfig } from '../cli-config.js';
import { CliError, parseOptions, resolveDataDir, type Command } from '../command.js';

const REVOKE_REASONS = [
  'unspecified',
  'keyCompromise',
  'superseded',
  'affiliationChanged',
  'cessationOfOperation',
] as const;
type CliRevokeReason = (typeof REVOKE_REASONS)[number];

/** Opens the data directory's database and PKI, runs `fn`, closes; PkiErrors become one-line CLI errors. */
async function withPki<T>(
  dataFlag: string | undefined,
  mustExist: boolean,
  fn: (pki: PlatformPki, db: Database) => Promise<T>,
): Promise<T> {
  const dataDir = resolveDataDir(dataFlag);
  const dbFile = databaseFile(dataDir);
  if (mustExist && !existsSync(dbFile))
    throw new CliError(`no database at ${dbFile} (run tongban pki init, or use --data DIR)`);
  const config = cliConfig(dataDir);
  const db = Database.open(dbFile);
  try {
    const pki = openPlatformPki(config, db);
    return await fn(pki, db);
  } catch (err) {
    if (err instanceof PkiError) throw new CliError(err.message);
    throw err;
  } finally {
    db.close();
  }
}

/** The sites of the data directory; the demo sites (inserted into `sites`) when there are none. */
function sitesOf(db: Database): { id: string; name: string }[] {
  const rows = db.sql.prepare('SELECT id, name FROM sites ORDER BY id').all() as { id: string; name: string }[];
  if (rows.length > 0) return rows;
  const insert = db.sql.prepare('INSERT INTO sites (id, name, name_en, region, created_at) VALUES (?, ?, ?, ?, ?)');
  const now = new Date().toISOString();
  db.transaction(() => {
    for (const s of demoSites) insert.run(s.id, s.name, s.nameEn, s.region, now);
  });
  return demoSites.map((s) => ({ id: s.id, name: s.name }));
}

function required(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value === '') throw new CliError(`missing --${flag} (usage: tongban ${usage})`);
  return value;
}

const initUsage = 'pki init [--data DIR]';
export const pkiInit: Command = {
  group: 'pki',
  name: 'init',
  usage: `${initUsage}   root CA, a CA per site, TSA and platform seal (idempotent)`,
  async run(args) {
    const { values } = parseOptions(args, { data: { type: 'string' } });
    return withPki(values.data, false, async (pki, db) => {
      const sites = sitesOf(db);
      const siteCas = () => (pki.isInitialised() ? pki.caCertificates().length - 1 : 0);
      const before = siteCas();
      await pki.init(sites);
      const added = siteCas() - before;
      process.stdout.write(
        `platform PKI ready: root CA, TSA, seal and ${sites.length} site CAs (${added} new): ${sites.map((s) => s.id).join(', ')}\n`,
      );
      return 0;
    });
  },
};

const issueUsage =
  'pki issue --user ID --name NAME --role clerk|official|auditor|admin --site SITE --pin PIN [--data DIR]';
export const pkiIssue: Command = {
  group: 'pki',
  name: 'issue',
  usage: `${issueUsage}   signing certificate with a PIN-protected key`,
  async run(args) {
    const { values } = parseOptions(args, {
      user: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      site: { type: 'string' },
      pin: { type: 'string' },
      data: { type: 'string' },
    });
    const userId = required(values.user, 'user', issueUsage);
    const name = required(values.name, 'name', issueUsage);
    const role = required(values.role, 'role', issueUsage);
    const siteId = required(values.site, 'site', issueUsage);
    const pin = required(values.pin, 'pin', issueUsage);
    if (!USER_ROLES.includes(role as UserRole))
      throw new CliError(`unknown role ${role} (use ${USER_ROLES.join(', ')})`);
    if (!isValidPin(pin)) throw new CliError('the PIN must be 6 to 12 digits');
    return withPki(values.data, true, async (pki) => {
      const info = await pki.issueUserCertificate({ userId, name, role: role as UserRole, siteId, pin });
      process.stdout.write(
        `issued certificate ${info.serial} to ${userId} (${info.subject}), valid until ${info.notAfter}\n`,
      );
      return 0;
    });
  },
};

const revokeUsage = `pki revoke --user ID [--reason ${REVOKE_REASONS.join('|')}] [--data DIR]`;
export const pkiRevoke: Command = {
  group: 'pki',
  name: 'revoke',
  usage: `${revokeUsage}   revoke the user's certificate and update the CRL`,
  async run(args) {
    const { values } = parseOptions(args, {
      user: { type: 'string' },
      reason: { type: 'string' },
      data: { type: 'string' },
    });
    const userId = required(values.user, 'user', revokeUsage);
    const reason = values.reason ?? 'unspecified';
    if (!REVOKE_REASONS.includes(reason as CliRevokeReason))
      throw new CliError(`unknown reason ${reason} (use ${REVOKE_REASONS.join(', ')})`);
    return withPki(values.data, true, async (pki) => {
      const current = pki.certificates({ userId }).at(-1);
      await pki.revoke(userId, reason as CliRevokeReason);
      process.stdout.write(
        `revoked certificate ${current?.serial ?? '?'} of ${userId} (${reason}); CRL of ${current?.caId ?? '?'} updated\n`,
      );
      return 0;
    });
  },
};

export const pkiExportRoot: Command = {
  group: 'pki',
  name: 'export-root',
  usage: 'pki export-root [--data DIR]   PEM of the root CA on stdout',
  async run(args) {
    const { values } = parseOptions(args, { data: { type: 'string' } });
    return withPki(values.data, true, async (pki) => {
      process.stdout.write(pki.rootCertificatePem());
      return 0;
    });
  },
};
