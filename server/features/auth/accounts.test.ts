// Accounts against a real server (issue 12 §5): login throttled per address, per account (backoff,
// then a temporary lock) and platform-wide, every refused attempt audited with its source address;
// a password set by an admin must be changed before anything else; signing PINs are chosen by
// their owner with a one-time enrolment code (the admin API takes no PIN) and changed with the old
// one. The "many addresses" attack binds each client socket to its own 127.0.0.x: the server
// trusts no proxy, so X-Forwarded-For would not change the address it sees.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_PASSWORD, DEMO_PIN } from '../../demo/demo-data.js';
import type { HttpClient, TestResponse } from '../../test-support/HttpClient.js';
import { TestServer } from '../../test-support/TestServer.js';
import { PinEnrolments } from './PinEnrolments.js';

const WINDOW_MS = 15 * 60_000;
const GLOBAL_BUDGET = 40;
let offsetMs = 0;
let server: TestServer;
let admin: HttpClient;
const printed: string[] = [];

/** Status and code of a refusal, kept for the report. */
const refusal = (label: string, r: TestResponse) => {
  printed.push(`${label}: ${r.status} ${r.text}`);
  return { status: r.status, code: r.json().error?.code as string | undefined };
};
const from = (address: string) => {
  const c = server.client();
  c.localAddress = address;
  return c;
};
const login = (c: HttpClient, username: string, password: string) => c.post('/api/auth/login', { username, password });
const auditOf = async (action: string) =>
  (await server.app.services.audit.list({ action, limit: 500, offset: 0 })).entries.map((e) => e.details);

beforeAll(async () => {
  server = await TestServer.start({
    seed: true,
    clock: () => new Date(Date.now() + offsetMs),
    limits: { loginWindowMs: WINDOW_MS, loginGlobalFailuresPerWindow: GLOBAL_BUDGET },
  });
  admin = await server.login('admin');
});

afterAll(async () => {
  await server?.dispose();
  process.stdout.write(`accounts refusals:\n${printed.map((p) => `  ${p}`).join('\n')}\n`);
});

describe('login throttling', () => {
  test('attack: 11 wrong passwords from each of 127.0.0.1…127.0.0.5, then the right one from 127.0.0.6 is refused (locked)', async () => {
    const statuses: Record<string, number[]> = {};
    for (let host = 1; host <= 5; host += 1) {
      const address = `127.0.0.${host}`;
      const c = from(address);
      statuses[address] = [];
      for (let i = 0; i < 11; i += 1) statuses[address].push((await login(c, 'clerk.cixi', 'guess-' + i)).status);
    }
    printed.push(`wrong-password statuses per address: ${JSON.stringify(statuses)}`);
    // The first address gets five plain failures, then the account's backoff, then its lock.
    expect(statuses['127.0.0.1']!.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(
      Object.values(statuses)
        .flat()
        .filter((s) => s === 401),
    ).toHaveLength(5);
    expect(statuses['127.0.0.5']!.every((s) => s === 423)).toBe(true);

    const right = await login(from('127.0.0.6'), 'clerk.cixi', DEMO_PASSWORD);
    expect(refusal('right password from 127.0.0.6 after the spread attack', right)).toEqual({
      status: 423,
      code: 'account_locked',
    });
    expect(right.headers['set-cookie']).toBeUndefined();

    // Every failed, throttled and locked attempt is audited with its source address, never the password.
    const failed = (await auditOf('auth.login_failed')).filter((d) => d.username === 'clerk.cixi');
    const throttled = (await auditOf('auth.login_throttled')).filter((d) => d.username === 'clerk.cixi');
    const locked = (await auditOf('auth.login_locked')).filter((d) => d.username === 'clerk.cixi');
    expect(failed.length + throttled.length + locked.length).toBe(56);
    expect(new Set(locked.map((d) => d.address))).toEqual(
      new Set(['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6']),
    );
    expect((await auditOf('auth.account_locked')).filter((d) => d.username === 'clerk.cixi')).toHaveLength(1);
    const log = JSON.stringify(await server.app.services.audit.list({ limit: 2000, offset: 0 }));
    expect(log).not.toContain('guess-');
    expect(log).not.toContain(DEMO_PASSWORD);

    // The lock is temporary: after it, the right password works again.
    offsetMs += WINDOW_MS + 60_000;
    expect((await login(from('127.0.0.6'), 'clerk.cixi', DEMO_PASSWORD)).status).toBe(200);
  });

  test('attack: password spraying (one guess per account, many accounts) spends the global budget; then every login waits', async () => {
    offsetMs += WINDOW_MS + 60_000;
    const sprayer = from('127.0.0.9');
    const statuses: number[] = [];
    for (let i = 0; i < GLOBAL_BUDGET + 2; i += 1)
      statuses.push((await login(sprayer, `user${i}`, 'Winter2026!')).status);
    expect(statuses.slice(0, GLOBAL_BUDGET).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(GLOBAL_BUDGET)).toEqual([429, 429]);
    const right = await login(from('127.0.0.10'), 'clerk.xingren', DEMO_PASSWORD);
    expect(refusal('right password of another account once the global budget is spent', right)).toEqual({
      status: 429,
      code: 'rate_limited',
    });
    expect(
      (await auditOf('auth.login_throttled')).filter((d) => d.reason === 'global').map((d) => d.address),
    ).toContain('127.0.0.10');
    offsetMs += WINDOW_MS + 60_000;
    expect((await login(from('127.0.0.10'), 'clerk.xingren', DEMO_PASSWORD)).status).toBe(200);
  });
});

describe('first login', () => {
  test('attack: an account created by an admin can do nothing until its owner chooses a new password', async () => {
    const created = await admin.post('/api/admin/users', {
      username: 'clerk.new',
      displayName: '新办事员',
      role: 'clerk',
      siteId: 'cixi',
      password: 'admin-knows-this',
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json().mustChangePassword).toBe(true);
    const c = server.client();
    const first = await login(c, 'clerk.new', 'admin-knows-this');
    expect(first.status).toBe(200);
    expect(first.json().user.mustChangePassword).toBe(true);
    expect(refusal('GET /api/cases before the forced password change', await c.get('/api/cases'))).toEqual({
      status: 403,
      code: 'password_change_required',
    });
    const postCase = await c.post('/api/cases', {
      matterId: 'shebao-tingjiao',
      handlingSite: 'xingren',
      applicant: { name: '赵六', idNumber: '522501199001011234' },
    });
    expect(postCase.json().error.code).toBe('password_change_required');
    await expect(server.socket(c)).rejects.toThrow(/password_change_required/);
    expect((await c.get('/api/me')).json()).toMatchObject({ username: 'clerk.new', mustChangePassword: true });

    const wrong = await c.post('/api/me/password', { currentPassword: 'not-it', newPassword: 'my-own-secret-1' });
    expect(refusal('password change with a wrong current password', wrong)).toEqual({
      status: 403,
      code: 'wrong_password',
    });
    const same = await c.post('/api/me/password', {
      currentPassword: 'admin-knows-this',
      newPassword: 'admin-knows-this',
    });
    expect(same.json().error.code).toBe('password_reused');
    const changed = await c.post('/api/me/password', {
      currentPassword: 'admin-knows-this',
      newPassword: 'my-own-secret-1',
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json().user.mustChangePassword).toBeUndefined();
    expect((await c.get('/api/cases')).status).toBe(200);
    // The admin's password is gone; the owner's works.
    expect((await login(server.client(), 'clerk.new', 'admin-knows-this')).status).toBe(401);
    expect((await login(server.client(), 'clerk.new', 'my-own-secret-1')).status).toBe(200);

    // An admin reset forces the change again and ends the owner's sessions.
    const reset = await admin.post('/api/admin/users/clerk.new/password', { password: 'reset-by-admin-9' });
    expect(reset.json().mustChangePassword).toBe(true);
    expect((await c.get('/api/cases')).status).toBe(401);
    const again = server.client();
    await login(again, 'clerk.new', 'reset-by-admin-9');
    expect((await again.get('/api/cases')).json().error.code).toBe('password_change_required');
    expect((await again.post('/api/auth/logout')).status).toBe(200);
  });

  test('demo users chose their password: no forced change', async () => {
    const c = await server.login('clerk.ninghai');
    expect((await c.get('/api/me')).json().mustChangePassword).toBeUndefined();
  });
});

describe('signing PINs', () => {
  test('attack: the admin cannot choose a PIN — the admin API takes none, and its code works only for its owner', async () => {
    // The old route that took a PIN is gone; the new one refuses a PIN field.
    const oldRoute = await admin.post('/api/admin/certificates', { userId: 'official.jiaojiang', pin: '111111' });
    expect(refusal('admin POST /api/admin/certificates with a PIN', oldRoute)).toEqual({
      status: 404,
      code: 'not_found',
    });
    const withPin = await admin.post('/api/admin/users/official.jiaojiang/enrolment-code', { pin: '111111' });
    expect(refusal('admin enrolment code request carrying a PIN', withPin)).toEqual({
      status: 400,
      code: 'invalid_request',
    });
    const before = await server.app.services.pki.certificates({ userId: 'official.jiaojiang' });
    const issued = await admin.post('/api/admin/users/official.jiaojiang/enrolment-code');
    expect(issued.status).toBe(201);
    const { code, expiresAt } = issued.json();
    expect(code).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/);
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());
    // Nothing is issued yet, and the code is stored only as its hash.
    expect(await server.app.services.pki.certificates({ userId: 'official.jiaojiang' })).toEqual(before);
    const stored = await server.app.services.db.all('SELECT * FROM pin_enrolments');
    expect(JSON.stringify(stored)).not.toContain(code);
    expect(JSON.stringify(await server.app.services.audit.list({ limit: 2000, offset: 0 }))).not.toContain(code);

    // The admin cannot redeem it (not a signer), nor can another official.
    const adminRedeems = await admin.post('/api/me/pin/enrolment', { code, pin: '111111' });
    expect(refusal('admin redeeming the code with a PIN of their choice', adminRedeems)).toEqual({
      status: 403,
      code: 'forbidden',
    });
    const other = await server.login('official.ninghai');
    expect((await other.post('/api/me/pin/enrolment', { code, pin: '111111' })).json().error.code).toBe(
      'enrolment_invalid',
    );

    // The owner redeems it with their own PIN; the code is then used up.
    const owner = await server.login('official.jiaojiang');
    expect((await owner.post('/api/me/pin/enrolment', { code, pin: '12345' })).status).toBe(400);
    const enrolled = await owner.post('/api/me/pin/enrolment', { code, pin: '80461357' });
    expect(enrolled.status, enrolled.text).toBe(201);
    const twice = await owner.post('/api/me/pin/enrolment', { code, pin: '80461357' });
    expect(refusal('the same enrolment code a second time', twice)).toEqual({
      status: 409,
      code: 'enrolment_invalid',
    });
    const pki = server.app.services.pki;
    await expect(pki.unlockUserSigner('official.jiaojiang', '80461357')).resolves.toBeTruthy();
    await expect(pki.unlockUserSigner('official.jiaojiang', DEMO_PIN)).rejects.toMatchObject({ code: 'wrong_pin' });
    const issuedEntry = (
      await server.app.services.audit.list({ action: 'certificate.issued', limit: 50, offset: 0 })
    ).entries.at(-1);
    expect(issuedEntry).toMatchObject({
      actor: 'user:official.jiaojiang',
      details: { enrolmentCodeIssuedBy: 'user:admin' },
    });
  });

  test('an expired code is refused', async () => {
    const { code } = (await admin.post('/api/admin/users/clerk.jiaojiang/enrolment-code')).json();
    offsetMs += server.app.services.config.limits.enrolmentCodeTtlMs + 60_000;
    const owner = await server.login('clerk.jiaojiang');
    expect((await owner.post('/api/me/pin/enrolment', { code, pin: '123456' })).json().error.code).toBe(
      'enrolment_invalid',
    );
  });

  test('the owner changes the PIN with the old one; the same key is re-wrapped under the new one', async () => {
    const c = await server.login('clerk.xingren');
    const pki = server.app.services.pki;
    const before = (await pki.certificates({ userId: 'clerk.xingren' })).filter((x) => x.status === 'valid');
    const wrong = await c.post('/api/me/pin', { currentPin: '000000', newPin: '97531864' });
    expect(refusal('PIN change with a wrong current PIN', wrong)).toEqual({ status: 403, code: 'wrong_pin' });
    const ok = await c.post('/api/me/pin', { currentPin: DEMO_PIN, newPin: '97531864' });
    expect(ok.status, ok.text).toBe(200);
    await expect(pki.unlockUserSigner('clerk.xingren', DEMO_PIN)).rejects.toMatchObject({ code: 'wrong_pin' });
    const signer = await pki.unlockUserSigner('clerk.xingren', '97531864');
    expect(signer.certificate.byteLength).toBeGreaterThan(0);
    // Same certificate as before: nothing re-issued, nothing superseded.
    expect((await pki.certificates({ userId: 'clerk.xingren' })).filter((x) => x.status === 'valid')).toEqual(before);
    await c.post('/api/me/pin', { currentPin: '97531864', newPin: DEMO_PIN });
    // Auditors and admins have no signing PIN.
    admin = await server.login('admin');
    expect((await admin.post('/api/me/pin', { currentPin: DEMO_PIN, newPin: '97531864' })).status).toBe(403);
  });

  test('the shortest PIN is configurable (limits.pinMinLength)', () => {
    const s = server.app.services;
    const strict = new PinEnrolments({ ...s, ttlMs: 60_000, minPinLength: 8 });
    expect(() => strict.assertPinPolicy('1234567')).toThrow(/8 to 12 digits/);
    expect(() => strict.assertPinPolicy('12345678')).not.toThrow();
    expect(() => s.enrolments.assertPinPolicy('12345a')).toThrow(/6 to 12 digits/);
  });
});
