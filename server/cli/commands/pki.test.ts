import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openssl } from '../../../certs/test-support/openssl.js';
import { demoSites } from '../../demo/demo-data.js';
import { PlatformPki } from '../../kernel/pki/PlatformPki.js';
import type { Database } from '../../kernel/store/Database.js';
import { dataDirDatabase, type DataDirDatabase } from '../../test-support/databases.js';
import { AuditLog } from '../../kernel/audit/AuditLog.js';
import { UserService } from '../../features/auth/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tongban-cli-pki-'));

const OWNER_PASSWORD = 'chosen-by-the-owner-7';
const ADMIN_SET_PASSWORD = 'set-by-an-admin-9';
const OWNER_PIN = '80461357';
const owner = { TONGBAN_PASSWORD: OWNER_PASSWORD, TONGBAN_PIN: OWNER_PIN };

/** The data directory's database (SQLite in it, or the PostgreSQL run's), made before the first command. */
let database: DataDirDatabase | undefined;

/**
 * The command's environment: no data directory, master key or secrets but `secrets` (TONGBAN_PASSWORD,
 * TONGBAN_PIN), and the data directory's database when the command works on it (another --data: none).
 */
const commandEnv = (args: readonly string[], secrets: Record<string, string> = {}) => ({
  ...process.env,
  TONGBAN_DATA: '',
  TONGBAN_MASTER_KEY: '',
  TONGBAN_PASSWORD: '',
  TONGBAN_PIN: '',
  ...(args.includes(dataDir) ? database?.env : undefined),
  ...secrets,
});

/** `tongban ARGS` with no secrets in the environment but `secrets` (TONGBAN_PASSWORD, TONGBAN_PIN). */
function tongbanWith(secrets: Record<string, string>, ...args: string[]) {
  const env = commandEnv(args, secrets);
  const r = spawnSync(process.execPath, ['bin/tongban.cjs', ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const tongban = (...args: string[]) => tongbanWith({}, ...args);
/**
 * `tongban ARGS` on a terminal (util-linux `script` gives it a pty), typing each answer once its
 * prompt shows; everything the terminal showed is returned.
 */
function onTerminal(args: string[], answers: [prompt: string, answer: string][]) {
  const quoted = [process.execPath, 'bin/tongban.cjs', ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', quoted, '/dev/null'], { env: commandEnv(args) });
  let shown = '';
  const pending = [...answers];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    shown += chunk;
    while (pending[0] && shown.includes(pending[0][0])) child.stdin.write(`${pending.shift()![1]}\r`);
  });
  return new Promise<{ status: number | null; shown: string }>((resolve) =>
    child.on('close', (status) => resolve({ status, shown })),
  );
}

const enrol = (userId: string, code: string, secrets: Record<string, string>) =>
  tongbanWith(secrets, 'pki', 'enrol', '--user', userId, '--code', code, '--data', dataDir);

async function inDb<T>(fn: (db: Database) => T | Promise<T>): Promise<T> {
  const db = await database!.open();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const auditEntries = async (action?: string) =>
  inDb(async (db) => (await new AuditLog(db, () => new Date()).list({ action, limit: 1000, offset: 0 })).entries);

/** Reads the data directory in-process, as the server would. */
function withPki<T>(fn: (pki: PlatformPki) => T | Promise<T>): Promise<T> {
  return inDb((db) => fn(PlatformPki.open({ db, dataDir })));
}

beforeAll(async () => {
  database = await dataDirDatabase(dataDir);
  const r = tongban('pki', 'init', '--data', dataDir);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  // Accounts as an admin makes them; the signers then chose their own password (byOwner), except fresh.cixi.
  const db = await database.open();
  const users = new UserService(db, () => new Date());
  const accounts = [
    { username: 'clerk.cixi', displayName: '张三', role: 'clerk', siteId: 'cixi' },
    { username: 'official.cixi', displayName: '王五', role: 'official', siteId: 'cixi' },
    { username: 'fresh.cixi', displayName: '李四', role: 'clerk', siteId: 'cixi' },
    { username: 'typist.cixi', displayName: '赵六', role: 'clerk', siteId: 'cixi' },
    { username: 'auditor', displayName: '审计', role: 'auditor', siteId: null },
  ] as const;
  for (const a of accounts) {
    await users.create({ id: a.username, ...a, password: ADMIN_SET_PASSWORD });
    if (a.username !== 'fresh.cixi') await users.setPassword(a.username, OWNER_PASSWORD, true);
  }
  await db.close();
});
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await database?.drop();
});

describe('tongban pki (built CLI)', () => {
  it('init with no sites in the data makes CAs for the demo sites and inserts them; re-running adds nothing', async () => {
    const sites = await withPki(async (pki) => (await pki.crls()).map((c) => c.caId));
    expect(sites.sort()).toEqual(['root', ...demoSites.map((s) => s.id)].sort());
    const count = await inDb(async (db) => (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM sites'))!.n);
    expect(count).toBe(demoSites.length);
    const again = tongban('pki', 'init', '--data', dataDir);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('(0 new)');
  });

  it('export-root prints a PEM that openssl parses', () => {
    const r = tongban('pki', 'export-root', '--data', dataDir);
    expect(r.status).toBe(0);
    const file = join(dataDir, 'root.pem');
    writeFileSync(file, r.stdout);
    const parsed = openssl(['x509', '-in', file, '-noout', '-subject']);
    expect(parsed.stdout).toContain('CN = Tongban Platform Root CA');
  });

  it('enrolment code, then the owner enrols with TONGBAN_PASSWORD and TONGBAN_PIN, then revoke: the CRL lists the serial', async () => {
    const issued = tongban('pki', 'enrolment-code', '--user', 'clerk.cixi', '--data', dataDir);
    expect(issued.stderr).toBe('');
    expect(issued.status).toBe(0);
    const code = /enrolment code for clerk\.cixi: ([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}) /.exec(issued.stdout)?.[1];
    expect(code).toBeDefined();
    // Nothing issued yet; the code is kept only as a hash and never audited.
    expect(await withPki(async (pki) => await pki.certificates({ userId: 'clerk.cixi' }))).toEqual([]);
    expect(JSON.stringify(await inDb((db) => db.all('SELECT * FROM pin_enrolments')))).not.toContain(code);
    expect((await auditEntries('certificate.enrolment_code_issued')).at(-1)).toMatchObject({
      actor: 'system:cli',
      target: 'user:clerk.cixi',
    });
    expect(JSON.stringify(await auditEntries())).not.toContain(code!);

    const enrolled = enrol('clerk.cixi', code!, owner);
    expect(enrolled.stderr).toBe('');
    expect(enrolled.status).toBe(0);
    expect(enrolled.stdout).not.toContain(OWNER_PIN);
    const serial = await withPki(async (pki) => (await pki.certificates({ userId: 'clerk.cixi' }))[0]!.serial);
    expect(enrolled.stdout).toContain(serial);
    expect((await auditEntries('certificate.issued')).at(-1)).toMatchObject({
      target: 'user:clerk.cixi',
      details: { serial, enrolmentCodeIssuedBy: 'system:cli', via: 'cli' },
    });
    const again = enrol('clerk.cixi', code!, owner);
    expect(again.status).toBe(2);
    expect(again.stderr).toBe('tongban: the enrolment code is wrong, used or expired\n');

    const revoked = tongban('pki', 'revoke', '--user', 'clerk.cixi', '--reason', 'keyCompromise', '--data', dataDir);
    expect(revoked.status).toBe(0);
    const crlFile = join(dataDir, 'cixi.crl');
    writeFileSync(crlFile, await withPki(async (pki) => (await pki.crl('cixi'))!));
    const text = openssl(['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text']).stdout;
    expect(text).toContain(`Serial Number: ${serial.toUpperCase()}`);
    expect(text).toContain('Key Compromise');
  });

  it('attack: the operator cannot choose a PIN from the CLI', async () => {
    const certificates = () => withPki(async (pki) => await pki.certificates({ userId: 'official.cixi' }));
    const codesIssued = async () => (await auditEntries('certificate.enrolment_code_issued')).length;
    const before = { certificates: await certificates(), codes: await codesIssued() };
    const refusals: [string[], string][] = [
      [
        [
          'pki',
          'issue',
          '--user',
          'official.cixi',
          '--name',
          '王五',
          '--role',
          'official',
          '--site',
          'cixi',
          '--pin',
          '111111',
        ],
        'tongban: pki issue is gone: the operator no longer chooses a PIN',
      ],
      [['pki', 'enrolment-code', '--user', 'official.cixi', '--pin', '111111'], 'pki enrolment-code takes no --pin'],
      [
        ['pki', 'enrol', '--user', 'official.cixi', '--code', 'AAAA-BBBB-CCCC-DDDD', '--pin', '111111'],
        'pki enrol takes no --pin',
      ],
    ];
    for (const [args, message] of refusals) {
      const r = tongban(...args, '--data', dataDir);
      console.log(`${args.join(' ')} -> exit ${r.status}: ${r.stderr.trim()}`);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    }
    expect({ certificates: await certificates(), codes: await codesIssued() }).toEqual(before);

    // The operator holds the code they printed, but redeeming it needs the owner's password.
    const code = /: ([A-Z0-9-]{19}) /.exec(
      tongban('pki', 'enrolment-code', '--user', 'official.cixi', '--data', dataDir).stdout,
    )![1]!;
    const operator = enrol('official.cixi', code, {
      TONGBAN_PASSWORD: 'guessed-password',
      TONGBAN_PIN: '111111',
    });
    console.log(`operator redeeming the code -> exit ${operator.status}: ${operator.stderr.trim()}`);
    expect(operator.stderr).toBe('tongban: wrong password for official.cixi\n');
    expect((await auditEntries('certificate.enrolment_failed')).at(-1)).toMatchObject({
      target: 'user:official.cixi',
      details: { via: 'cli', reason: 'wrong_password' },
    });
    // Nor the password an admin set and the owner has not replaced.
    const adminSet = enrol('fresh.cixi', code, {
      TONGBAN_PASSWORD: ADMIN_SET_PASSWORD,
      TONGBAN_PIN: '111111',
    });
    expect(adminSet.stderr).toContain('still has the password an admin set');
    expect(await certificates()).toEqual(before.certificates);
    // Without a terminal and without TONGBAN_PIN there is no PIN to take.
    const noPin = enrol('official.cixi', code, {
      TONGBAN_PASSWORD: OWNER_PASSWORD,
    });
    expect(noPin.stderr).toBe('tongban: no PIN: set TONGBAN_PIN or run on a terminal to be asked\n');
    // The code was not used up by the refusals: the owner still redeems it.
    const owned = enrol('official.cixi', code, owner);
    expect(owned.stderr).toBe('');
    expect(await certificates()).toHaveLength(1);
  });

  it('on a terminal, the password and the PIN (typed twice) are asked for without echo', async () => {
    const code = /: ([A-Z0-9-]{19}) /.exec(
      tongban('pki', 'enrolment-code', '--user', 'typist.cixi', '--data', dataDir).stdout,
    )![1]!;
    const args = ['pki', 'enrol', '--user', 'typist.cixi', '--code', code, '--data', dataDir];
    const mistyped = await onTerminal(args, [
      ['account password of typist.cixi: ', OWNER_PASSWORD],
      ['new signing PIN: ', '24681357'],
      ['the same PIN again: ', '24681358'],
    ]);
    expect(mistyped.shown).toContain('tongban: the two PINs differ');
    expect(mistyped.status).toBe(2);
    const r = await onTerminal(args, [
      ['account password of typist.cixi: ', OWNER_PASSWORD],
      ['new signing PIN: ', '24681357'],
      ['the same PIN again: ', '24681357'],
    ]);
    expect(r.shown).toMatch(/issued certificate [0-9a-f]+ to typist\.cixi/);
    expect(r.status).toBe(0);
    expect(r.shown).not.toContain(OWNER_PASSWORD);
    expect(r.shown).not.toContain('24681357');
    // The key is wrapped under the PIN typed.
    const db = await database!.open();
    try {
      await expect(PlatformPki.open({ db, dataDir }).unlockUserSigner('typist.cixi', '24681357')).resolves.toBeTruthy();
    } finally {
      await db.close();
    }
  });

  it('bad input: one line on stderr, non-zero exit, no stack', () => {
    const cases: [string[], string][] = [
      [['pki', 'enrolment-code', '--user', 'auditor'], 'only clerks and officials of a site sign documents'],
      [['pki', 'enrolment-code', '--user', 'nobody'], 'nobody'],
      [['pki', 'enrolment-code'], 'missing --user'],
      [['pki', 'enrol', '--user', 'clerk.cixi'], 'missing --code'],
      [['pki', 'revoke', '--user', 'nobody'], 'nobody has no certificate'],
      [['pki', 'revoke', '--user', 'clerk.cixi', '--reason', 'bored'], 'unknown reason bored'],
      [['pki', 'init', '--bogus'], 'bogus'],
    ];
    for (const [args, message] of cases) {
      const r = tongbanWith(owner, ...args, '--data', dataDir);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
    const missing = tongban('pki', 'export-root', '--data', join(dataDir, 'nothing-here'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^tongban: no database at .* \(run tongban pki init, or use --data DIR\)\n$/);
  });
});
