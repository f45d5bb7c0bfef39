// Cases, invitations and bad input against a real server: the state machine (409s), partnership
// rules, one-time expiring codes, rate limits, security headers, ID numbers never stored in clear,
// and a burst of malformed requests after which the server still serves.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HttpClient } from '../test-support/HttpClient.js';
import { TestServer } from '../test-support/TestServer.js';
import { columnsContaining } from '../test-support/db-inspect.js';

const ID_NUMBER = '33028219850607123X';
let server: TestServer;
let xingren: HttpClient;
let cixi: HttpClient;
let offsetMs = 0;

const caseBody = (over: Record<string, unknown> = {}) => ({
  matterId: 'shebao-tingjiao',
  handlingSite: 'cixi',
  applicant: { name: '李四', idNumber: ID_NUMBER, phone: '13812345678' },
  ...over,
});

async function newCase(): Promise<string> {
  const r = await xingren.post('/api/cases', caseBody());
  expect(r.status).toBe(201);
  return r.json().id;
}

beforeAll(async () => {
  // Real time plus an offset the tests can move forward (invitation expiry).
  server = await TestServer.start({
    seed: true,
    clock: () => new Date(Date.now() + offsetMs),
    limits: { jsonBodyBytes: 64 * 1024, auditCheckpointIntervalMs: 300 },
  });
  xingren = await server.login('clerk.xingren');
  cixi = await server.login('clerk.cixi');
});

afterAll(async () => server?.dispose());

describe('cases', () => {
  test('create → queued with a number, masked ID and history; accept → in_session with both clerks in the session', async () => {
    const created = await xingren.post('/api/cases', caseBody());
    expect(created.status).toBe(201);
    const { id, number, status } = created.json();
    expect(status).toBe('queued');
    expect(number).toMatch(/^TB-\d{4}-\d{6}$/);
    const got = (await cixi.get(`/api/cases/${id}`)).json();
    expect(got.applicant).toEqual({ name: '李四', idMasked: '3302**********123X', phoneMasked: '138****5678' });
    expect(got.history.map((h: { to: string }) => h.to)).toEqual(['created', 'queued']);
    const accepted = await cixi.post(`/api/cases/${id}/accept`);
    expect(accepted.status).toBe(200);
    const session = (await cixi.get(`/api/sessions/${accepted.json().sessionId}`)).json();
    expect(session.participants.map((p: { userId: string; role: string }) => [p.userId, p.role]).sort()).toEqual([
      ['clerk.cixi', 'handling_clerk'],
      ['clerk.xingren', 'originating_clerk'],
    ]);
    const queue = (await cixi.get('/api/cases?status=in_session')).json();
    expect(queue.cases.map((c: { id: string }) => c.id)).toContain(id);
  });

  test('invalid transitions are 409', async () => {
    const id = await newCase();
    expect((await cixi.post(`/api/cases/${id}/accept`)).status).toBe(200);
    for (const [path, client] of [
      ['accept', cixi],
      ['reject', cixi],
    ] as const) {
      const r = await client.post(`/api/cases/${id}/${path}`);
      expect(r.status).toBe(409);
      expect(r.json().error.code).toBe('invalid_transition');
    }
    const rejected = await newCase();
    expect((await cixi.post(`/api/cases/${rejected}/reject`, { reason: '不属于本地事项' })).json().status).toBe(
      'rejected',
    );
    expect((await xingren.post(`/api/cases/${rejected}/cancel`)).status).toBe(409);
    expect((await cixi.post(`/api/cases/${rejected}/accept`)).status).toBe(409);
    // The flows move cases on through the same state machine.
    const cases = server.app.services.cases;
    await expect(cases.transition(undefined, id, 'signed')).rejects.toThrow(/cannot become signed/);
    expect((await cases.transition(undefined, id, 'identity_confirmed')).status).toBe('identity_confirmed');
    await expect(cases.transition(undefined, id, 'archived')).rejects.toThrow(/cannot become archived/);
  });

  test('a case goes only to a partner site whose partnership enables the matter', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ handlingSite: 'ninghai' }, 'no_partnership'],
      [{ matterId: 'huzhao' }, 'no_partnership'],
      [{ handlingSite: 'xingren' }, 'same_site'],
    ];
    for (const [over, code] of cases) {
      const r = await xingren.post('/api/cases', caseBody(over));
      expect(r.status, JSON.stringify(over)).toBe(409);
      expect(r.json().error.code).toBe(code);
    }
    expect((await xingren.post('/api/cases', caseBody({ handlingSite: 'nosuchsite' }))).status).toBe(404);
    expect((await xingren.post('/api/cases', caseBody({ matterId: 'nosuchmatter' }))).status).toBe(404);
  });

  test('the ID number is stored only as HMAC and mask: not in the database files, the audit log or responses', async () => {
    await newCase();
    const dataDir = server.dataDir;
    for (const file of readdirSync(dataDir).filter((f) => f.startsWith('tongban.sqlite'))) {
      const bytes = readFileSync(join(dataDir, file));
      expect(bytes.includes(Buffer.from(ID_NUMBER)), file).toBe(false);
      expect(bytes.includes(Buffer.from('13812345678')), file).toBe(false);
    }
    const auditor = await server.login('auditor');
    const audit = await auditor.get('/api/audit?limit=200');
    expect(audit.text.includes(ID_NUMBER)).toBe(false);
    const { db } = server.app.services;
    // On PostgreSQL there is no file in the data directory: every text column is searched instead.
    expect(await columnsContaining(db, ID_NUMBER)).toEqual([]);
    expect(await columnsContaining(db, '13812345678')).toEqual([]);
    const row = await db.get<{ id_hmac: string }>('SELECT id_hmac FROM cases LIMIT 1');
    expect(row!.id_hmac).toBe(server.app.services.ids.hmac(ID_NUMBER));
  });
});

describe('invitations', () => {
  test('one-time, bound to the session, expiring; a newer code revokes the unused one', async () => {
    const id = await newCase();
    const { sessionId } = (await cixi.post(`/api/cases/${id}/accept`)).json();
    const late = (await cixi.post(`/api/cases/${id}/invitations`)).json().code;
    offsetMs += 31 * 60_000;
    const expired = await server.client().post('/api/join', { code: late });
    offsetMs -= 31 * 60_000;
    expect(expired.status).toBe(403);
    expect(expired.json().error.code).toBe('invitation_invalid');

    const inv = await xingren.post(`/api/cases/${id}/invitations`);
    expect(inv.status).toBe(201);
    const { code, url } = inv.json();
    expect(url).toBe(`${server.url}/join/${code}`);
    const replaced = await server.client().post('/api/join', { code: late });
    expect([replaced.status, replaced.json().error.code]).toEqual([403, 'invitation_invalid']);
    const guest = server.client();
    const joined = await guest.post('/api/join', { code });
    expect(joined.json()).toEqual({ guestId: expect.any(String), sessionId, caseId: id, displayName: '李四' });
    expect((await guest.get('/api/me')).json()).toMatchObject({ kind: 'guest', guestId: joined.json().guestId });
    expect((await server.client().post('/api/join', { code })).status).toBe(403);
  });

  test('no invitation before the case has a session', async () => {
    const id = await newCase();
    const r = await xingren.post(`/api/cases/${id}/invitations`);
    expect(r.status).toBe(409);
    expect(r.json().error.code).toBe('no_open_session');
  });
});

describe('auth', () => {
  test('session cookie flags, security headers, logout', async () => {
    const c = server.client();
    const r = await c.post('/api/auth/login', { username: 'clerk.ninghai', password: 'tongban-demo' });
    const cookie = (r.headers['set-cookie'] as string[])[0]!;
    for (const flag of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) expect(cookie).toContain(flag);
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['strict-transport-security']).toBeDefined();
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['x-powered-by']).toBeUndefined();
    const stale = c.cookie;
    expect((await c.post('/api/auth/logout')).status).toBe(200);
    const reused = server.client();
    reused.cookie = stale;
    expect((await reused.get('/api/me')).status).toBe(401);
  });

  test('wrong passwords are rate limited per username and address, and per account with backoff', async () => {
    const c = server.client();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1)
      statuses.push((await c.post('/api/auth/login', { username: 'official.jiaojiang', password: 'wrong' })).status);
    // Five wrong passwords, then the account's backoff (1 s, doubling) refuses the quick retries
    // and the tenth failure locks the account.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 423, 423, 423]);
    // Even the right password is refused until the lock is over.
    expect((await c.post('/api/auth/login', { username: 'official.jiaojiang', password: 'tongban-demo' })).status).toBe(
      423,
    );
    offsetMs += 16 * 60_000;
    expect((await c.post('/api/auth/login', { username: 'official.jiaojiang', password: 'tongban-demo' })).status).toBe(
      200,
    );
    offsetMs -= 16 * 60_000;
  });

  test('a disabled account is logged out everywhere', async () => {
    const admin = await server.login('admin');
    const c = await server.login('clerk.jiaojiang');
    expect((await admin.post('/api/admin/users/clerk.jiaojiang/disable')).json().disabled).toBe(true);
    expect((await c.get('/api/me')).status).toBe(401);
    expect(
      (await server.client().post('/api/auth/login', { username: 'clerk.jiaojiang', password: 'tongban-demo' })).status,
    ).toBe(401);
    await admin.post('/api/admin/users/clerk.jiaojiang/enable');
  });
});

test('OpenAPI lists every route with its schemas', async () => {
  const doc = (await server.client().get('/api/openapi.json')).json();
  expect(doc.openapi).toBe('3.1.0');
  const post = doc.paths['/api/cases'].post;
  expect(post.requestBody.content['application/json'].schema.required).toEqual([
    'matterId',
    'handlingSite',
    'applicant',
  ]);
  expect(post.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  expect(doc.paths['/api/cases/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
  expect(Object.keys(doc.paths)).toEqual(
    expect.arrayContaining(['/api/auth/login', '/api/join', '/pki/tsa', '/api/audit/verification']),
  );
});

test('a burst of malformed requests gets clear 4xx errors and the server keeps serving', async () => {
  const anon = server.client();
  const huge = JSON.stringify({ username: 'x'.repeat(200_000), password: 'y' });
  const bad: [string, () => Promise<{ status: number; text: string }>, number, string][] = [
    [
      'bad JSON',
      () =>
        anon.post('/api/auth/login', undefined, {
          body: '{"username":',
          headers: { 'content-type': 'application/json' },
        }),
      400,
      'malformed_json',
    ],
    [
      'huge body',
      () => anon.post('/api/auth/login', undefined, { body: huge, headers: { 'content-type': 'application/json' } }),
      413,
      'payload_too_large',
    ],
    ['wrong types', () => anon.post('/api/auth/login', { username: 42, password: ['x'] }), 400, 'invalid_request'],
    [
      'unknown field',
      () => anon.post('/api/auth/login', { username: 'a', password: 'b', admin: true }),
      400,
      'invalid_request',
    ],
    ['array body', () => anon.post('/api/auth/login', [1, 2, 3]), 400, 'invalid_request'],
    [
      'JSON null',
      () => anon.post('/api/auth/login', undefined, { body: 'null', headers: { 'content-type': 'application/json' } }),
      400,
      'malformed_json',
    ],
    ['bad id', () => cixi.get('/api/cases/not-a-uuid'), 400, 'invalid_request'],
    ['unknown id', () => cixi.get('/api/cases/00000000-0000-4000-8000-000000000000'), 404, 'not_found'],
    ['unknown route', () => cixi.get('/api/nothing-here'), 404, 'not_found'],
    ['unknown query', () => cixi.get('/api/cases?evil=1'), 400, 'invalid_request'],
    ['repeated query', () => cixi.get('/api/cases?status=queued&status=created'), 400, 'invalid_request'],
    ['bad status', () => cixi.get('/api/cases?status=deleted'), 400, 'invalid_request'],
    [
      'nested unknown',
      () => xingren.post('/api/cases', caseBody({ applicant: { name: 'a', idNumber: ID_NUMBER, x: 1 } })),
      400,
      'invalid_request',
    ],
    [
      'bad ID number',
      () => xingren.post('/api/cases', caseBody({ applicant: { name: 'a', idNumber: '123' } })),
      400,
      'invalid_request',
    ],
    [
      'deep nesting',
      () =>
        xingren.post('/api/cases', undefined, {
          body: '['.repeat(5000) + ']'.repeat(5000),
          headers: { 'content-type': 'application/json' },
        }),
      400,
      'invalid_request',
    ],
    [
      'wrong content type',
      () =>
        anon.post('/api/auth/login', undefined, {
          body: 'username=a&password=b',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      415,
      'unsupported_media_type',
    ],
    [
      'empty TSA body',
      () => anon.post('/pki/tsa', undefined, { body: '', headers: { 'content-type': 'application/timestamp-query' } }),
      415,
      'bad_timestamp_request',
    ],
    [
      'oversized TSA body',
      () =>
        anon.post('/pki/tsa', undefined, {
          body: Buffer.alloc(100_000),
          headers: { 'content-type': 'application/timestamp-query' },
        }),
      413,
      'payload_too_large',
    ],
  ];
  for (const [name, send, status, code] of bad) {
    const r = await send();
    expect(r.status, `${name}: ${r.text}`).toBe(status);
    const body = JSON.parse(r.text);
    expect(body.error.code, name).toBe(code);
    expect(r.text, name).not.toMatch(/at .*\.(ts|js):\d+/);
  }
  // Many at once, then normal service.
  await Promise.all(Array.from({ length: 60 }, (_, i) => bad[i % bad.length]![1]()));
  expect((await anon.get('/healthz')).status).toBe(200);
  expect((await server.login('clerk.cixi')).cookie).toBeDefined();
});

describe('PKI endpoints', () => {
  test('root certificate and per-CA CRLs (DER, readable by openssl); unknown CA is 404', async () => {
    const anon = server.client();
    const root = await anon.get('/pki/root.pem');
    expect(root.headers['content-type']).toContain('application/x-pem-file');
    expect(root.text).toBe(server.rootPem);
    for (const ca of ['root', 'cixi']) {
      const crl = await anon.get(`/pki/crl/${ca}.crl`);
      expect(crl.status).toBe(200);
      expect(crl.headers['content-type']).toBe('application/pkix-crl');
      const file = join(server.dataDir, `${ca}.crl`);
      writeFileSync(file, crl.body);
      const out = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', file, '-noout', '-issuer'], {
        encoding: 'utf8',
      });
      expect(out).toMatch(/issuer=/);
    }
    expect((await anon.get('/pki/crl/nowhere.crl')).status).toBe(404);
  });

  test('POST /pki/tsa answers an openssl time-stamp query with a token openssl verifies against the root', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsa-'));
    writeFileSync(join(dir, 'data.txt'), '身份核验确认书 v1');
    writeFileSync(join(dir, 'root.pem'), server.rootPem);
    execFileSync('openssl', [
      'ts',
      '-query',
      '-data',
      join(dir, 'data.txt'),
      '-sha256',
      '-cert',
      '-out',
      join(dir, 'req.tsq'),
    ]);
    const reply = await server.client().post('/pki/tsa', undefined, {
      body: readFileSync(join(dir, 'req.tsq')),
      headers: { 'content-type': 'application/timestamp-query' },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/timestamp-reply');
    writeFileSync(join(dir, 'resp.tsr'), reply.body);
    const verified = execFileSync(
      'openssl',
      [
        'ts',
        '-verify',
        '-data',
        join(dir, 'data.txt'),
        '-in',
        join(dir, 'resp.tsr'),
        '-CAfile',
        join(dir, 'root.pem'),
        '-untrusted',
        join(dir, 'root.pem'),
      ],
      { encoding: 'utf8' },
    );
    expect(verified).toMatch(/Verification: OK/);
    rmSync(dir, { recursive: true, force: true });
  });

  test('the audit head is sealed periodically while the server runs', async () => {
    const { db } = server.app.services;
    const count = async () => (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit_checkpoints'))!.n;
    const before = await count();
    await server.login('clerk.ninghai'); // a new entry to seal
    const deadline = Date.now() + 10_000;
    while ((await count()) === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await count()).toBeGreaterThan(before);
    const head = (await server.app.services.audit.head())!;
    const last = await db.get<{ entry_id: number }>('SELECT entry_id FROM audit_checkpoints ORDER BY id DESC LIMIT 1');
    expect(last!.entry_id).toBeLessThanOrEqual(head.id);
  });

  test('the ID-number HMAC key is a non-extractable secret of the token, not a file', () => {
    expect(server.app.services.pki.token.keyAttributes('tongban:id-hmac', 'secret')).toEqual({
      sensitive: true,
      extractable: false,
    });
    expect(existsSync(join(server.dataDir, 'secrets'))).toBe(false);
  });
});

test('admins give an enrolment code, the owner chooses the PIN, admins revoke; the CA reissues its CRL listing the serial', async () => {
  const admin = await server.login('admin');
  const issued = await admin.post('/api/admin/users/official.ninghai/enrolment-code');
  expect(issued.status).toBe(201);
  const official = await server.login('official.ninghai');
  const enrolled = await official.post('/api/me/pin/enrolment', { code: issued.json().code, pin: '246810' });
  expect(enrolled.status, enrolled.text).toBe(201);
  const { serial } = enrolled.json();
  const current = (await admin.get('/api/admin/certificates'))
    .json()
    .certificates.find((c: { serial: string }) => c.serial === serial);
  expect(current).toMatchObject({ userId: 'official.ninghai', issuer: 'ninghai', status: 'valid' });
  expect((await admin.post('/api/admin/users/auditor/enrolment-code')).json().error.code).toBe('not_a_signer');
  const revoked = await admin.post(`/api/admin/certificates/${serial}/revoke`, { reason: 'keyCompromise' });
  expect(revoked.json()).toMatchObject({ serial, revoked: true });
  const list = (await admin.get('/api/admin/certificates')).json();
  expect(list.crls.find((c: { ca: string }) => c.ca === 'ninghai').revokedCount).toBeGreaterThanOrEqual(1);
  const crl = await server.client().get('/pki/crl/ninghai.crl');
  const file = join(server.dataDir, 'ninghai.crl');
  writeFileSync(file, crl.body);
  const text = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', file, '-noout', '-text'], { encoding: 'utf8' });
  expect(text.toLowerCase().replace(/[^0-9a-f\n]/g, '')).toContain(serial.replace(/^0+/, ''));
  expect((await admin.post('/api/admin/certificates/abcdef/revoke', {})).status).toBe(404);
  const audit = (await server.app.services.audit.list({ action: 'certificate.revoked', limit: 10, offset: 0 })).entries;
  expect(audit.at(-1)?.details).toMatchObject({ serial, reason: 'keyCompromise' });
  expect(
    JSON.stringify(await server.app.services.audit.list({ action: 'certificate.issued', limit: 10, offset: 0 })),
  ).not.toContain('246810');
});
