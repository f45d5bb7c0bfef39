// `tongban pki init | enrolment-code | enrol | revoke | export-root` (DESIGN §9): the platform PKI of a
// data directory. The operator never chooses a user's PIN (issue 12 §5): they print a one-time
// enrolment code, and the user redeems it with a PIN of their own, read from TONGBAN_PIN or a
// terminal prompt (never argv: shell history, ps). Codes and PINs go through the same audited
// PinEnrolments steps as the web API.
import { PkiError } from '../../../certs/errors.js';
import { createApp, type AppServices } from '../../app/create-app.js';
import { demoSites } from '../../demo/demo-data.js';
import { openPlatformPki } from '../../kernel/pki/open-platform-pki.js';
import type { PlatformPki } from '../../kernel/pki/PlatformPki.js';
import { issueEnrolmentCodeAudited, redeemEnrolmentAudited, type UserService } from '../../features/auth/index.js';
import { AppError } from '../../kernel/errors.js';
import type { Database } from '../../kernel/store/Database.js';
import { databaseExists, databaseLocation, openDatabase } from '../../kernel/store/open-database.js';
import { cliConfig } from '../cli-config.js';
import { CliError, parseOptions, resolveDataDir, type Command } from '../command.js';
import { readHidden } from '../read-hidden.js';

/** How the audit log names whoever runs a command on the data directory. */
const CLI_ACTOR = 'system:cli';

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
  const config = cliConfig(dataDir);
  if (mustExist && !databaseExists(config))
    throw new CliError(`no database at ${databaseLocation(config)} (run tongban pki init, or use --data DIR)`);
  const db = await openDatabase(config);
  try {
    const pki = openPlatformPki(config, db);
    return await fn(pki, db);
  } catch (err) {
    if (err instanceof PkiError) throw new CliError(err.message);
    throw err;
  } finally {
    await db.close();
  }
}

/** The sites of the data directory; the demo sites (inserted into `sites`) when there are none. */
async function sitesOf(db: Database): Promise<{ id: string; name: string }[]> {
  const rows = await db.all<{ id: string; name: string }>('SELECT id, name FROM sites ORDER BY id');
  if (rows.length > 0) return rows;
  const now = new Date().toISOString();
  await db.transaction(async () => {
    for (const s of demoSites)
      await db.run('INSERT INTO sites (id, name, name_en, region, created_at) VALUES (?, ?, ?, ?, ?)', [
        s.id,
        s.name,
        s.nameEn,
        s.region,
        now,
      ]);
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
      const sites = await sitesOf(db);
      const siteCas = async () => ((await pki.isInitialised()) ? (await pki.caCertificates()).length - 1 : 0);
      const before = await siteCas();
      await pki.init(sites);
      const added = (await siteCas()) - before;
      process.stdout.write(
        `platform PKI ready: root CA, TSA, seal and ${sites.length} site CAs (${added} new): ${sites.map((s) => s.id).join(', ')}\n`,
      );
      return 0;
    });
  },
};

/** Opens the data directory with the app's services (nothing listens); AppErrors become one-line CLI errors. */
async function withServices<T>(dataFlag: string | undefined, fn: (services: AppServices) => Promise<T>): Promise<T> {
  const dataDir = resolveDataDir(dataFlag);
  const config = cliConfig(dataDir);
  if (!databaseExists(config))
    throw new CliError(`no database at ${databaseLocation(config)} (run tongban pki init, or use --data DIR)`);
  const app = await createApp({ config, log: () => undefined });
  try {
    return await fn(app.services);
  } catch (err) {
    if (err instanceof AppError) throw new CliError(err.message);
    throw err;
  } finally {
    await app.stop();
  }
}

const enrolmentSteps = (s: AppServices) => ({ ...s, pinLimiter: s.limiters.pin });

/** A PIN option is refused outright: it would mean someone other than the owner typed the PIN, and it lands in ps and shell history. */
function refusePinOption(pin: string | undefined, command: string): void {
  if (pin !== undefined)
    throw new CliError(
      `${command} takes no --pin: the user chooses their own PIN with \`tongban pki enrol\` (from TONGBAN_PIN or a prompt)`,
    );
}

const enrolmentCodeUsage = 'pki enrolment-code --user ID [--data DIR]';
export const pkiEnrolmentCode: Command = {
  group: 'pki',
  name: 'enrolment-code',
  usage: `${enrolmentCodeUsage}   one-time code (printed once) with which a clerk or official chooses their PIN`,
  async run(args) {
    const { values } = parseOptions(args, {
      user: { type: 'string' },
      pin: { type: 'string' },
      data: { type: 'string' },
    });
    refusePinOption(values.pin, 'pki enrolment-code');
    const userId = required(values.user, 'user', enrolmentCodeUsage);
    return withServices(values.data, async (services) => {
      const { code, expiresAt } = await issueEnrolmentCodeAudited(enrolmentSteps(services), userId, CLI_ACTOR);
      process.stdout.write(
        `enrolment code for ${userId}: ${code} (valid until ${expiresAt}; shown once; the user runs tongban pki enrol)\n`,
      );
      return 0;
    });
  },
};

const enrolUsage = 'pki enrol --user ID --code CODE [--data DIR]';
export const pkiEnrol: Command = {
  group: 'pki',
  name: 'enrol',
  usage: `${enrolUsage}   the user chooses their PIN; TONGBAN_PASSWORD and TONGBAN_PIN, else asked on the terminal`,
  async run(args) {
    const { values } = parseOptions(args, {
      user: { type: 'string' },
      code: { type: 'string' },
      pin: { type: 'string' },
      data: { type: 'string' },
    });
    refusePinOption(values.pin, 'pki enrol');
    const userId = required(values.user, 'user', enrolUsage);
    const code = required(values.code, 'code', enrolUsage);
    const password = await secret('TONGBAN_PASSWORD', `account password of ${userId}: `);
    const pin = await chosenPin();
    return withServices(values.data, async (services) => {
      const cert = await redeemEnrolmentAudited(enrolmentSteps(services), {
        userId,
        actor: CLI_ACTOR,
        code,
        pin,
        context: { via: 'cli' },
        proveOwner: () => proveOwner(services.users, userId, password),
      });
      process.stdout.write(`issued certificate ${cert.serial} to ${userId}, valid until ${cert.notAfter}\n`);
      return 0;
    });
  },
};

/**
 * The CLI has no login session: the user proves they own the account with its password, one they
 * chose (not the one an admin set), as the web asks them to sign in. The code alone is not enough,
 * or the operator who printed it could redeem it with a PIN of their choice.
 */
async function proveOwner(users: UserService, userId: string, password: string): Promise<void> {
  const user = await users.get(userId);
  if (!(await users.checkPassword(userId, password)) || user.disabled)
    throw new AppError('wrong_password', `wrong password for ${userId}`, 403);
  if (user.mustChangePassword)
    throw new AppError(
      'password_change_required',
      `${userId} still has the password an admin set: sign in on the web and choose one first`,
      403,
    );
}

/** A secret from the environment variable `env`, else typed without echo on a terminal; never from argv. */
async function secret(env: 'TONGBAN_PASSWORD' | 'TONGBAN_PIN', prompt: string): Promise<string> {
  const fromEnv = process.env[env];
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY || !process.stderr.isTTY)
    throw new CliError(`no ${env === 'TONGBAN_PIN' ? 'PIN' : 'password'}: set ${env} or run on a terminal to be asked`);
  return readHidden(prompt);
}

/** The new PIN from TONGBAN_PIN, else typed twice on a terminal. */
async function chosenPin(): Promise<string> {
  if (process.env.TONGBAN_PIN) return process.env.TONGBAN_PIN;
  const pin = await secret('TONGBAN_PIN', 'new signing PIN: ');
  if ((await readHidden('the same PIN again: ')) !== pin) throw new CliError('the two PINs differ');
  return pin;
}

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
      const current = (await pki.certificates({ userId })).at(-1);
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
      process.stdout.write(await pki.rootCertificatePem());
      return 0;
    });
  },
};
