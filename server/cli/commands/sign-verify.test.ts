// `tongban sign` and `tongban verify` through the built CLI against a real data directory
// (SQLite, or PostgreSQL in `npm run test:postgres`, + platform PKI): the happy path checked by pdfsig too, and every bad input ending in
// one stderr line, a non-zero exit, no stack trace and no output file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumPdf,
  contractHtml,
  nssDatabase,
  pdfsig,
  run,
  sealPng,
  tempDir,
} from '../../../signing/test-support/tools.js';
import { fromPem } from '../../../certs/encoding.js';
import { PlatformPki } from '../../kernel/pki/PlatformPki.js';
import { UserService } from '../../features/auth/index.js';
import { CatalogService } from '../../features/catalog/index.js';
import { dataDirDatabase, type DataDirDatabase } from '../../test-support/databases.js';

const PIN = '135790';
const OWNER_PASSWORD = 'chosen-by-the-owner-7';
const CLI = join(process.cwd(), 'bin', 'tongban.cjs');
let tmp: ReturnType<typeof tempDir>;
let dataDir: string;
let source: string;
let rootPem: string;
let database: DataDirDatabase | undefined;

function tongban(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      TONGBAN_DEBUG: '',
      TONGBAN_PASSWORD: '',
      TONGBAN_PIN: '',
      // The data directory's database (another --data keeps its own: none)
      ...(args.includes(dataDir) ? database?.env : {}),
      ...env,
    },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  tmp = tempDir('cli-sign');
  dataDir = join(tmp.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  database = await dataDirDatabase(dataDir);
  const db = await database.open();
  const cost = { N: 2 ** 10, r: 8, p: 1 };
  const pki = PlatformPki.open({ db, dataDir, caKeyBits: 2048, pinKdfCost: cost });
  await pki.init([{ id: 'cixi', name: '慈溪市政务服务办' }]);
  // An official's account with a password they chose: enrolled through the CLI in a test below.
  await new CatalogService(db, () => new Date()).upsertSite({
    id: 'cixi',
    name: '慈溪市政务服务办',
    nameEn: 'Cixi Government Service Centre',
    region: '宁波市',
  });
  const users = new UserService(db, () => new Date());
  await users.create({
    id: 'official.cixi',
    username: 'official.cixi',
    displayName: '王五',
    role: 'official',
    siteId: 'cixi',
    password: 'set-by-an-admin-9',
  });
  await users.setPassword('official.cixi', OWNER_PASSWORD, true);
  for (const userId of ['clerk.cixi', 'locked.cixi', 'revoked.cixi', 'counted.cixi'])
    await pki.issueUserCertificate({ userId, name: '张三', role: 'clerk', siteId: 'cixi', pin: PIN });
  await pki.revoke('revoked.cixi', 'keyCompromise');
  const past = PlatformPki.open({
    db,
    dataDir,
    caKeyBits: 2048,
    pinKdfCost: cost,
    clock: () => new Date(Date.now() - 3 * 86_400_000),
  });
  await past.issueUserCertificate({
    userId: 'expired.cixi',
    name: '赵六',
    role: 'clerk',
    siteId: 'cixi',
    pin: PIN,
    validDays: 1,
  });
  rootPem = await pki.rootCertificatePem();
  await db.close();
  writeFileSync(join(tmp.dir, 'root.pem'), rootPem);
  source = chromiumPdf(tmp.dir, 'contract', contractHtml(2));
});

afterAll(async () => {
  tmp?.remove();
  await database?.drop();
});

describe('tongban sign / verify', () => {
  it('signs visibly at B-T; verify, verify --json and pdfsig agree', () => {
    writeFileSync(join(tmp.dir, 'seal.png'), sealPng());
    const out = join(tmp.dir, 'signed.pdf');
    const r = tongban([
      'sign',
      '--in',
      source,
      '--out',
      out,
      '--user',
      'clerk.cixi',
      '--pin',
      PIN,
      '--reason',
      '受理确认',
      '--visible',
      '1:40,40,220,70',
      '--image',
      join(tmp.dir, 'seal.png'),
      '--data',
      dataDir,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const signed = readFileSync(out);
    expect(signed.subarray(0, readFileSync(source).length).equals(readFileSync(source))).toBe(true);

    const human = tongban(['verify', out, '--data', dataDir]);
    expect(human.status, human.stdout + human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^OK {2}Signature1: 张三 .*intact, trusted, not revoked, B-T, timestamp /m);
    expect(human.stdout.trim().endsWith('VALID')).toBe(true);

    const json = JSON.parse(tongban(['verify', out, '--json', '--data', dataDir]).stdout);
    expect(Object.keys(json.signatures[0]).sort()).toEqual([
      'coversWholeDocument',
      'field',
      'intact',
      'level',
      'modifiedAfter',
      'revoked',
      'signer',
      'timestamp',
      'trusted',
    ]);
    expect(json).toMatchObject({
      valid: true,
      signatures: [
        {
          field: 'Signature1',
          signer: { name: '张三' },
          level: 'B-T',
          coversWholeDocument: true,
          modifiedAfter: false,
        },
      ],
    });

    const nss = nssDatabase(join(tmp.dir, 'nss'), fromPem(rootPem)[0]!);
    const sigs = pdfsig(nss, out);
    expect(sigs.map((s) => [s.signatureValidation, s.certificateValidation])).toEqual([
      ['Signature is Valid.', 'Certificate is Trusted.'],
    ]);

    // Without our data directory the same file verifies only with --trust.
    const elsewhere = join(tmp.dir, 'no-data');
    expect(tongban(['verify', out, '--data', elsewhere]).status).toBe(1);
    expect(tongban(['verify', out, '--data', elsewhere, '--trust', join(tmp.dir, 'root.pem')]).status).toBe(0);
  });

  it('an official enrols from the CLI (operator code, own password and PIN from the environment), signs with TONGBAN_PIN, verifies', () => {
    const issued = tongban(['pki', 'enrolment-code', '--user', 'official.cixi', '--data', dataDir]);
    expect(issued.stderr).toBe('');
    const code = /: ([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}) /.exec(issued.stdout)?.[1];
    expect(code).toBeDefined();
    const ownPin = '97531864';
    const enrolled = tongban(['pki', 'enrol', '--user', 'official.cixi', '--code', code!, '--data', dataDir], {
      TONGBAN_PASSWORD: OWNER_PASSWORD,
      TONGBAN_PIN: ownPin,
    });
    expect(enrolled.stderr).toBe('');
    expect(enrolled.status).toBe(0);
    expect(enrolled.stdout).toMatch(/^issued certificate [0-9a-f]+ to official\.cixi, valid until /);

    const out = join(tmp.dir, 'enrolled-signed.pdf');
    const signArgs = [
      ...'sign --user official.cixi --reason 审核'.split(' '),
      '--in',
      source,
      '--out',
      out,
      '--data',
      dataDir,
    ];
    // Another PIN fails; the owner's, from the environment (not argv), signs.
    expect(tongban(signArgs, { TONGBAN_PIN: '111111' }).stderr).toMatch(/wrong PIN/);
    const signed = tongban(signArgs, { TONGBAN_PIN: ownPin });
    expect(signed.stderr).toBe('');
    expect(signed.status).toBe(0);
    const verified = tongban(['verify', out, '--data', dataDir]);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(/^OK {2}Signature1: 王五 .*intact, trusted, not revoked, B-T/m);
    expect(verified.stdout.trim().endsWith('VALID')).toBe(true);
  });

  const bad = (name: string, setup: () => { args: string[]; env?: Record<string, string> }, message: RegExp) =>
    it(`refuses ${name} with one line, no stack trace, no output file`, () => {
      const out = join(tmp.dir, `out-${name.replace(/\W+/g, '-')}.pdf`);
      const { args, env } = setup();
      const r = tongban(['sign', ...args, '--out', out, '--data', dataDir], env);
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    });

  const input = (file: string, pin = PIN, user = 'clerk.cixi') => ['--in', file, '--user', user, '--pin', pin];
  bad(
    'an encrypted PDF',
    () => {
      const file = join(tmp.dir, 'encrypted.pdf');
      run('qpdf', ['--encrypt', 'user', 'owner', '256', '--', source, file]);
      return { args: input(file) };
    },
    /encrypted/,
  );
  bad(
    'a truncated PDF',
    () => {
      const file = join(tmp.dir, 'truncated.pdf');
      const bytes = readFileSync(source);
      writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
      return { args: input(file) };
    },
    /truncated|corrupt/,
  );
  bad(
    'a non-PDF',
    () => {
      const file = join(tmp.dir, 'notes.txt');
      writeFileSync(file, 'just some text\n');
      return { args: input(file) };
    },
    /not a PDF/,
  );
  bad(
    'an empty file',
    () => {
      const file = join(tmp.dir, 'empty.pdf');
      writeFileSync(file, '');
      return { args: input(file) };
    },
    /empty/,
  );
  bad(
    'a file over the size limit',
    () => ({ args: input(source), env: { TONGBAN_MAX_PDF_BYTES: '1000' } }),
    /too large/,
  );
  bad('a wrong PIN', () => ({ args: input(source, '000000') }), /wrong PIN/);
  bad(
    'a locked key',
    () => {
      for (let i = 0; i < 5; i++)
        tongban([
          'sign',
          ...input(source, '000000', 'locked.cixi'),
          '--out',
          join(tmp.dir, 'x.pdf'),
          '--data',
          dataDir,
        ]);
      return { args: input(source, PIN, 'locked.cixi') };
    },
    /locked/,
  );
  bad('a revoked signer', () => ({ args: input(source, PIN, 'revoked.cixi') }), /revoked/);
  bad('an expired signer', () => ({ args: input(source, PIN, 'expired.cixi') }), /expired/);

  it('counts a wrong PIN even when the document fails first (the PIN is checked while the PDF is read)', () => {
    const truncated = join(tmp.dir, 'truncated-for-pin.pdf');
    const bytes = readFileSync(source);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const out = join(tmp.dir, 'counted.pdf');
    const first = tongban(['sign', ...input(truncated, '000000', 'counted.cixi'), '--out', out, '--data', dataDir]);
    expect(first.status).not.toBe(0);
    expect(first.stderr).toMatch(/truncated|corrupt/);
    const second = tongban(['sign', ...input(source, '000000', 'counted.cixi'), '--out', out, '--data', dataDir]);
    expect(second.stderr).toBe('tongban: wrong PIN (3 attempts left)\n');
    expect(existsSync(out)).toBe(false);
  });

  it('verify exits 2 on bad input and 1 on an unsigned PDF', () => {
    writeFileSync(join(tmp.dir, 'plain.txt'), 'hello');
    const r = tongban(['verify', join(tmp.dir, 'plain.txt'), '--data', dataDir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a PDF/);
    const unsigned = tongban(['verify', source, '--data', dataDir]);
    expect(unsigned.status).toBe(1);
    expect(unsigned.stdout).toContain('no signatures');
  });
});
