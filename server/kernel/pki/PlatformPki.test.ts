import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:https';
import { connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { certificateFacts } from '../../../certs/certificate-facts.js';
import { validateCertificateChain } from '../../../certs/chain-validation.js';
import { parseCrl } from '../../../certs/crl.js';
import { certificatePem, fromPem } from '../../../certs/encoding.js';
import { DAY_MS } from '../../../certs/hierarchy.js';
import { openssl } from '../../../certs/test-support/openssl.js';
import { verifyTimeStampToken } from '../../../certs/tsa/verify-timestamp.js';
import type { Database } from '../store/Database.js';
import { describeBackends, testDatabase, type TestDatabase } from '../../test-support/databases.js';
import { closeEmbeddedToken, openEmbeddedToken } from '../hsm/embedded-softhsm.js';
import { PlatformPki, type PlatformPkiOptions } from './PlatformPki.js';

const START = new Date('2026-06-01T08:00:00Z');
let now = START;
const clock = () => now;
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};
const sites = [
  { id: 'cixi', name: '慈溪市政务服务办' },
  { id: 'xingren', name: '兴仁市政务服务中心' },
];
let pki: PlatformPki;

async function validate(der: Uint8Array) {
  return validateCertificateChain({
    leaf: der,
    intermediates: await pki.caCertificates(),
    trustAnchors: await pki.trustAnchors(),
    crls: (await pki.crls()).map((c) => c.der),
    at: now,
  });
}

const data = new TextEncoder().encode('document');

// The whole life of one platform PKI, test after test, on each back-end.
describeBackends('PlatformPki', (backend) => {
  let t: TestDatabase;
  let dataDir: string;
  let db: Database;
  let options: PlatformPkiOptions;
  beforeAll(async () => {
    now = START;
    dataDir = mkdtempSync(join(tmpdir(), 'tongban-pki-'));
    t = await testDatabase(backend);
    db = t.db;
    options = {
      db,
      dataDir,
      clock,
      baseUrl: 'https://desk.example',
      caKeyBits: 2048,
      pinKdfCost: { N: 2 ** 14, r: 8, p: 1 },
    };
    pki = PlatformPki.open(options);
    await pki.init(sites);
  });
  afterAll(async () => {
    await t.drop();
    closeEmbeddedToken(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('init makes the root, a CA per site, TSA and seal; is idempotent and adds new sites', async () => {
    expect(await pki.isInitialised()).toBe(true);
    const root = await pki.rootCertificatePem();
    expect(new X509Certificate(root).subject).toContain('CN=Tongban Platform Root CA');
    expect(await pki.caCertificates()).toHaveLength(3);
    await pki.init([...sites, { id: 'ninghai', name: '宁海县政务服务办公室' }]);
    expect(await pki.rootCertificatePem()).toBe(root);
    expect(await pki.caCertificates()).toHaveLength(4);
    expect((await pki.crls()).map((c) => c.caId).sort()).toEqual(['cixi', 'ninghai', 'root', 'xingren']);
    expect((await validate((await pki.caCertificates()).at(-1)!)).trusted).toBe(true);
  });

  it('CA, TSA and seal keys live in the token, sensitive and non-extractable; no key file in the data directory', async () => {
    const rows = await db.all<{ kind: string; protection: string; record: string }>(
      'SELECT c.kind, k.protection, k.record FROM pki_certificates c JOIN pki_keys k ON k.certificate_id = c.id',
    );
    const inToken = rows.filter((r) => ['ca', 'tsa', 'seal'].includes(r.kind));
    expect(new Set(inToken.map((r) => r.kind))).toEqual(new Set(['ca', 'tsa', 'seal']));
    for (const row of inToken) {
      expect(row.protection).toBe('token');
      expect(pki.token.keyAttributes(row.record, 'private')).toEqual({ sensitive: true, extractable: false });
    }
    // The data directory holds the token alone (this test's database lives elsewhere).
    expect(readdirSync(dataDir)).toEqual(['hsm']);
  });

  it('issues a user certificate whose PIN-unlocked signer chains to the root', async () => {
    const info = await pki.issueUserCertificate({
      userId: 'clerk.cixi',
      name: '张三',
      role: 'clerk',
      siteId: 'cixi',
      pin: '123456',
    });
    expect(info).toMatchObject({
      kind: 'user',
      userId: 'clerk.cixi',
      role: 'clerk',
      siteId: 'cixi',
      caId: 'cixi',
      status: 'valid',
    });
    expect(info.subject).toContain('CN=张三');
    const x = new X509Certificate(info.certificatePem);
    expect(x.serialNumber.toLowerCase().replace(/^0+/, '')).toBe(info.serial.replace(/^0+/, ''));
    const signer = await pki.unlockUserSigner('clerk.cixi', '123456');
    const sig = await signer.sign(data, 'SHA-256');
    expect(verify('sha256', data, x.publicKey, sig)).toBe(true);
    expect(signer.chain).toHaveLength(2);
    expect(await validate(signer.certificate)).toMatchObject({
      trusted: true,
      revoked: false,
      revocationChecked: true,
    });
    expect(certificateFacts(signer.certificate).crlUrls).toEqual(['https://desk.example/pki/crl/cixi.crl']);
  });

  it('counts wrong PINs: attempts left, then locked after five; a new certificate unlocks', async () => {
    await pki.issueUserCertificate({
      userId: 'official.x',
      name: '李四',
      role: 'official',
      siteId: 'xingren',
      pin: '24681357',
    });
    for (let left = 4; left >= 1; left--) {
      await expect(pki.unlockUserSigner('official.x', '11111111')).rejects.toMatchObject({
        code: 'wrong_pin',
        message: expect.stringContaining(`${left} attempt`),
      });
    }
    await expect(pki.unlockUserSigner('official.x', '11111111')).rejects.toMatchObject({ code: 'key_locked' });
    await expect(pki.unlockUserSigner('official.x', '24681357')).rejects.toMatchObject({ code: 'key_locked' });
    // The lock is persisted: a second instance on the same database sees it.
    await expect(PlatformPki.open(options).unlockUserSigner('official.x', '24681357')).rejects.toMatchObject({
      code: 'key_locked',
    });
    await pki.issueUserCertificate({
      userId: 'official.x',
      name: '李四',
      role: 'official',
      siteId: 'xingren',
      pin: '13572468',
    });
    await expect(pki.unlockUserSigner('official.x', '13572468')).resolves.toBeDefined();
  });

  it('the owner changes the PIN with the old one: same key, the old PIN no longer opens it', async () => {
    await pki.issueUserCertificate({ userId: 'clerk.pin', name: '周九', role: 'clerk', siteId: 'cixi', pin: '135790' });
    const before = await pki.unlockUserSigner('clerk.pin', '135790');
    await expect(pki.changeUserPin('clerk.pin', '000000', '2468013579')).rejects.toMatchObject({ code: 'wrong_pin' });
    await expect(pki.changeUserPin('clerk.pin', '135790', '12ab')).rejects.toMatchObject({ code: 'invalid_pin' });
    await pki.changeUserPin('clerk.pin', '135790', '2468013579');
    await expect(pki.unlockUserSigner('clerk.pin', '135790')).rejects.toMatchObject({ code: 'wrong_pin' });
    const after = await pki.unlockUserSigner('clerk.pin', '2468013579');
    expect(after.certificate).toEqual(before.certificate);
    const x = new X509Certificate(certificatePem(after.certificate));
    expect(verify('sha256', data, x.publicKey, await after.sign(data, 'SHA-256'))).toBe(true);
  });

  it('a correct PIN resets the failure count', async () => {
    await pki.issueUserCertificate({
      userId: 'clerk.reset',
      name: '赵六',
      role: 'clerk',
      siteId: 'cixi',
      pin: '654321',
    });
    for (let i = 0; i < 4; i++)
      await expect(pki.unlockUserSigner('clerk.reset', '000000')).rejects.toMatchObject({ code: 'wrong_pin' });
    await pki.unlockUserSigner('clerk.reset', '654321');
    await expect(pki.unlockUserSigner('clerk.reset', '000000')).rejects.toMatchObject({
      message: expect.stringContaining('4 attempts left'),
    });
  });

  it('re-issuing supersedes the old certificate and lists it in the CRL', async () => {
    const before = await pki.certificates({ userId: 'official.x' });
    expect(before.map((c) => c.status)).toEqual(['superseded', 'valid']);
    const crl = parseCrl((await pki.crl('xingren'))!);
    expect(crl.entries).toContainEqual(expect.objectContaining({ serial: before[0]!.serial, reason: 'superseded' }));
  });

  it('revoke: the CRL (checked with openssl) lists the serial, the signer is refused, the chain reports it', async () => {
    const info = (await pki.certificates({ userId: 'clerk.cixi' }))[0]!;
    const signer = await pki.unlockUserSigner('clerk.cixi', '123456');
    advance(60_000);
    await pki.revoke('clerk.cixi', 'keyCompromise');
    await expect(pki.unlockUserSigner('clerk.cixi', '123456')).rejects.toMatchObject({ code: 'revoked' });
    expect((await pki.certificates({ userId: 'clerk.cixi' }))[0]!.status).toBe('revoked');
    const crlFile = join(dataDir, 'cixi.crl');
    writeFileSync(crlFile, (await pki.crl('cixi'))!);
    const text = openssl(['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text']).stdout;
    expect(text).toContain(`Serial Number: ${info.serial.toUpperCase()}`);
    expect(text).toContain('Key Compromise');
    expect(await validate(signer.certificate)).toMatchObject({
      revoked: true,
      revocation: { reason: 'keyCompromise' },
    });
    await expect(pki.revoke('nobody', 'keyCompromise')).rejects.toMatchObject({ code: 'no_certificate' });
  });

  it('CRLs are re-issued with a higher number once past nextUpdate', async () => {
    const first = parseCrl((await pki.crl('xingren'))!);
    expect(parseCrl((await pki.crl('xingren'))!).crlNumber).toBe(first.crlNumber);
    advance(8 * DAY_MS);
    const second = parseCrl((await pki.crl('xingren'))!);
    expect(second.crlNumber).toBe(first.crlNumber! + 1n);
    expect(second.thisUpdate.getTime()).toBe(Math.floor(now.getTime() / 1000) * 1000);
  });

  it('event certificates: applicant subject with a per-case pseudonym, token-wrapped signer, short-lived', async () => {
    const info = await pki.issueEventCertificate({
      eventId: 'case-42:sign',
      name: '王五',
      caseId: 'case-42',
      siteId: 'cixi',
      validMinutes: 30,
    });
    const ref = pki.caseRef('case-42');
    expect(ref).toMatch(/^[0-9a-f]{32}$/);
    expect(pki.caseRef('case-42')).toBe(ref);
    expect(pki.caseRef('case-43')).not.toBe(ref);
    expect(info.subject).toContain(`serialNumber=${ref}`);
    expect(info.subject).toContain('UID=case-42:sign');
    const signer = await pki.eventSigner('case-42:sign');
    expect((await validate(signer.certificate)).trusted).toBe(true);
    advance(31 * 60_000);
    await expect(pki.eventSigner('case-42:sign')).rejects.toMatchObject({ code: 'expired' });
    await expect(pki.eventSigner('no-such-event')).rejects.toMatchObject({ code: 'no_certificate' });
  });

  it('expired user certificates are refused and listed as expired', async () => {
    await pki.issueUserCertificate({
      userId: 'clerk.short',
      name: '钱七',
      role: 'clerk',
      siteId: 'cixi',
      pin: '123123',
      validDays: 1,
    });
    advance(2 * DAY_MS);
    await expect(pki.unlockUserSigner('clerk.short', '123123')).rejects.toMatchObject({ code: 'expired' });
    expect((await pki.certificates({ userId: 'clerk.short' }))[0]!.status).toBe('expired');
  });

  it('TSA: answers openssl ts -query (verified by openssl), serials count up; timeStamper() tokens verify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-tsa-'));
    try {
      writeFileSync(join(dir, 'data'), data);
      writeFileSync(join(dir, 'root.pem'), await pki.rootCertificatePem());
      openssl(['ts', '-query', '-data', join(dir, 'data'), '-sha256', '-cert', '-out', join(dir, 'q.tsq')]);
      const serials: string[] = [];
      for (let i = 0; i < 2; i++) {
        const resp = await pki.handleTimestampRequest(readFileSync(join(dir, 'q.tsq')));
        writeFileSync(join(dir, 'r.tsr'), resp);
        const v = openssl([
          'ts',
          '-verify',
          '-in',
          join(dir, 'r.tsr'),
          '-queryfile',
          join(dir, 'q.tsq'),
          '-CAfile',
          join(dir, 'root.pem'),
          '-attime',
          String(Math.floor(now.getTime() / 1000) + 60),
        ]);
        expect(v.stdout + v.stderr).toContain('Verification: OK');
        serials.push(
          /Serial number: (0x[0-9A-F]+)/.exec(
            openssl(['ts', '-reply', '-in', join(dir, 'r.tsr'), '-text']).stdout,
          )![1]!,
        );
      }
      expect(BigInt(serials[1]!)).toBe(BigInt(serials[0]!) + 1n);
      const garbage = await pki.handleTimestampRequest(new Uint8Array([1, 2, 3]));
      writeFileSync(join(dir, 'g.tsr'), garbage);
      expect(openssl(['ts', '-reply', '-in', join(dir, 'g.tsr'), '-text']).stdout).toContain('Rejected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const hash = new Uint8Array(createHash('sha256').update(data).digest());
    const token = await pki.timeStamper().timestamp(hash, 'SHA-256');
    const r = verifyTimeStampToken(token, {
      hash,
      trustAnchors: await pki.trustAnchors(),
      crls: (await pki.crls()).map((c) => c.der),
    });
    expect(r).toMatchObject({ valid: true, hashMatches: true });
  });

  it('with tsaUrl, timeStamper() asks that TSA over HTTP', async () => {
    let requests = 0;
    const tsa = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests += 1;
        void pki.handleTimestampRequest(Buffer.concat(chunks)).then((body) => res.end(body));
      });
    });
    await new Promise<void>((resolve) => tsa.listen(0, '127.0.0.1', resolve));
    try {
      const tsaUrl = `http://127.0.0.1:${(tsa.address() as AddressInfo).port}/pki/tsa`;
      const hash = new Uint8Array(createHash('sha256').update(data).digest());
      const token = await PlatformPki.open({ ...options, tsaUrl })
        .timeStamper()
        .timestamp(hash, 'SHA-256');
      expect(requests).toBe(1);
      expect(verifyTimeStampToken(token, { hash, trustAnchors: await pki.trustAnchors() }).valid).toBe(true);
    } finally {
      tsa.close();
    }
  });

  it('seal signer is the platform seal under the root', async () => {
    const seal = await pki.sealSigner();
    expect(new X509Certificate(Buffer.from(seal.certificate)).subject).toContain('CN=Tongban Platform Seal');
    expect(seal.chain).toEqual(await pki.trustAnchors());
    expect((await validate(seal.certificate)).trusted).toBe(true);
  });

  it('TLS credentials: reused for the same names, serve HTTPS that trusts the root', async () => {
    const a = await pki.serverTlsCredentials(['localhost', '127.0.0.1']);
    const b = await pki.serverTlsCredentials(['127.0.0.1', 'localhost']);
    expect(b.certPem).toBe(a.certPem);
    const server = createServer({ key: a.keyPem, cert: a.certPem + a.chainPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const ca = await pki.rootCertificatePem();
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
          resolve(socket.authorized);
          socket.end();
        });
        socket.on('error', reject);
      });
      expect(authorized).toBe(true);
    } finally {
      server.close();
    }
    const c = await pki.serverTlsCredentials(['desk.example']);
    expect(c.certPem).not.toBe(a.certPem);
    expect(new X509Certificate(c.certPem).checkHost('desk.example')).toBe('desk.example');
    expect(fromPem(c.chainPem)).toEqual(await pki.trustAnchors());
    expect(certificatePem((await pki.trustAnchors())[0]!)).toBe(c.chainPem);
  });

  it('bad input gives typed errors', async () => {
    await expect(
      pki.issueUserCertificate({ userId: 'u1', name: 'N', role: 'clerk', siteId: 'nowhere', pin: '123456' }),
    ).rejects.toMatchObject({ code: 'unknown_site' });
    await expect(
      pki.issueUserCertificate({ userId: 'u1', name: 'N', role: 'clerk', siteId: 'cixi', pin: '12345' }),
    ).rejects.toMatchObject({ code: 'invalid_pin' });
    await expect(
      pki.issueUserCertificate({ userId: 'u1', name: 'N', role: 'boss' as 'clerk', siteId: 'cixi', pin: '123456' }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(
      pki.issueEventCertificate({ eventId: 'e', name: 'N', caseId: 'case 42', siteId: 'cixi' }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(pki.unlockUserSigner('nobody', '123456')).rejects.toMatchObject({ code: 'no_certificate' });
    await expect(pki.init([{ id: 'root', name: 'x' }])).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await pki.crl('nowhere')).toBeUndefined();
  });

  it('state survives reopening; another token cannot use the CA, seal or event keys', async () => {
    const again = PlatformPki.open(options);
    expect(await again.rootCertificatePem()).toBe(await pki.rootCertificatePem());
    await again.issueUserCertificate({
      userId: 'clerk.later',
      name: '孙八',
      role: 'clerk',
      siteId: 'xingren',
      pin: '987654',
    });
    expect((await validate((await again.unlockUserSigner('clerk.later', '987654')).certificate)).trusted).toBe(true);
    const otherDir = mkdtempSync(join(tmpdir(), 'tongban-pki-other-'));
    try {
      const wrong = PlatformPki.open({ ...options, token: openEmbeddedToken(otherDir) });
      await expect(wrong.sealSigner()).rejects.toMatchObject({ code: 'bad_keystore' });
      await expect(wrong.unlockUserSigner('clerk.later', '987654')).rejects.toMatchObject({ code: 'wrong_pin' });
    } finally {
      closeEmbeddedToken(otherDir);
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('an uninitialised PKI says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-pki-empty-'));
    const empty = await testDatabase(backend);
    try {
      const fresh = PlatformPki.open({ db: empty.db, dataDir: dir, clock });
      expect(await fresh.isInitialised()).toBe(false);
      await expect(fresh.rootCertificatePem()).rejects.toMatchObject({ code: 'not_initialised' });
      await expect(fresh.handleTimestampRequest(new Uint8Array([1]))).rejects.toMatchObject({
        code: 'not_initialised',
      });
    } finally {
      await empty.drop();
      closeEmbeddedToken(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
