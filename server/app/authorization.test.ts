// The authorization matrix: every route × every kind of principal. For case routes the case runs
// xingren → cixi, so clerk.cixi is the handling (own) site, clerk.xingren the partner (originating)
// site and clerk.ninghai an unrelated site. "allow" means a 2xx; every other cell must be denied
// with 401 (anonymous) or 403.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { HttpClient, TestResponse } from '../test-support/HttpClient.js';
import { TestServer } from '../test-support/TestServer.js';

const principals = [
  'anonymous',
  'guest',
  'clerk.cixi',
  'clerk.xingren',
  'clerk.ninghai',
  'official.ninghai',
  'auditor',
  'admin',
] as const;
type Who = (typeof principals)[number];
const staff: Who[] = ['clerk.cixi', 'clerk.xingren', 'clerk.ninghai', 'official.ninghai', 'auditor', 'admin'];
const everyone: Who[] = [...principals];

interface Row {
  readonly route: string;
  readonly allow: readonly Who[];
  readonly call: (c: HttpClient, who: Who) => Promise<TestResponse>;
}

let server: TestServer;
const clients = {} as Record<Who, HttpClient>;
let caseId: string;
let sessionId: string;
let counter = 0;

const newCaseBody = (from: Who) => {
  const target: Record<string, { handlingSite: string; matterId: string }> = {
    'clerk.xingren': { handlingSite: 'cixi', matterId: 'shebao-tingjiao' },
    'clerk.cixi': { handlingSite: 'xingren', matterId: 'shuiwu-shiming' },
    'clerk.ninghai': { handlingSite: 'jiaojiang', matterId: 'churujing-jilu' },
  };
  return { ...(target[from] ?? target['clerk.xingren']), applicant: { name: '张三', idNumber: '522501199001011234' } };
};

/** A fresh queued case xingren → cixi (for routes that change its state). */
async function freshCase(): Promise<string> {
  const r = await clients['clerk.xingren'].post('/api/cases', newCaseBody('clerk.xingren'));
  expect(r.status).toBe(201);
  return r.json().id;
}

/** A fresh case xingren → cixi in session, no applicant joined yet (invitations are per session). */
async function caseInSession(): Promise<string> {
  const id = await freshCase();
  expect((await clients['clerk.cixi'].post(`/api/cases/${id}/accept`)).status).toBe(200);
  return id;
}

const rows: Row[] = [
  { route: 'GET /healthz', allow: everyone, call: (c) => c.get('/healthz') },
  { route: 'GET /api/openapi.json', allow: everyone, call: (c) => c.get('/api/openapi.json') },
  { route: 'GET /pki/root.pem', allow: everyone, call: (c) => c.get('/pki/root.pem') },
  { route: 'GET /api/me', allow: ['guest', ...staff], call: (c) => c.get('/api/me') },
  { route: 'GET /api/sites', allow: staff, call: (c) => c.get('/api/sites') },
  { route: 'GET /api/partnerships', allow: staff, call: (c) => c.get('/api/partnerships') },
  { route: 'GET /api/matters', allow: staff, call: (c) => c.get('/api/matters') },
  {
    route: 'POST /api/cases',
    allow: ['clerk.cixi', 'clerk.xingren', 'clerk.ninghai'],
    call: (c, who) => c.post('/api/cases', newCaseBody(who)),
  },
  {
    route: 'GET /api/cases (own site)',
    allow: ['clerk.cixi', 'clerk.xingren', 'clerk.ninghai', 'auditor'],
    call: (c) => c.get('/api/cases'),
  },
  { route: 'GET /api/cases?site=cixi', allow: ['clerk.cixi', 'auditor'], call: (c) => c.get('/api/cases?site=cixi') },
  {
    route: 'GET /api/cases/:id',
    allow: ['clerk.cixi', 'clerk.xingren', 'auditor'],
    call: (c) => c.get(`/api/cases/${caseId}`),
  },
  {
    route: 'POST /api/cases/:id/accept',
    allow: ['clerk.cixi'],
    call: async (c) => c.post(`/api/cases/${await freshCase()}/accept`),
  },
  {
    route: 'POST /api/cases/:id/reject',
    allow: ['clerk.cixi'],
    call: async (c) => c.post(`/api/cases/${await freshCase()}/reject`, { reason: '材料不全' }),
  },
  {
    route: 'POST /api/cases/:id/cancel',
    allow: ['clerk.xingren'],
    call: async (c) => c.post(`/api/cases/${await freshCase()}/cancel`),
  },
  {
    route: 'POST /api/cases/:id/invitations',
    allow: ['clerk.cixi', 'clerk.xingren'],
    call: async (c) => c.post(`/api/cases/${await caseInSession()}/invitations`),
  },
  {
    route: 'GET /api/sessions/:id',
    allow: ['guest', 'clerk.cixi', 'clerk.xingren', 'auditor'],
    call: (c) => c.get(`/api/sessions/${sessionId}`),
  },
  {
    route: 'POST /api/join (valid code)',
    allow: everyone,
    call: async (c) => {
      const invitations = `/api/cases/${await caseInSession()}/invitations`;
      const code = (await clients['clerk.cixi'].post(invitations)).json().code;
      const copy = server.client();
      copy.cookie = c.cookie; // joining replaces the cookie: keep the matrix client's own
      return copy.post('/api/join', { code });
    },
  },
  { route: 'GET /api/admin/users', allow: ['admin'], call: (c) => c.get('/api/admin/users') },
  {
    route: 'POST /api/admin/users',
    allow: ['admin'],
    call: (c) =>
      c.post('/api/admin/users', {
        username: `user.${++counter}`,
        displayName: '新人',
        role: 'clerk',
        siteId: 'cixi',
        password: 'a-long-password',
      }),
  },
  {
    route: 'POST /api/admin/users/:id/disable',
    allow: ['admin'],
    call: (c) => c.post('/api/admin/users/spare.clerk/disable'),
  },
  {
    route: 'POST /api/admin/users/:id/enable',
    allow: ['admin'],
    call: (c) => c.post('/api/admin/users/spare.clerk/enable'),
  },
  {
    route: 'PUT /api/admin/sites/:id',
    allow: ['admin'],
    call: (c) =>
      c.request('PUT', '/api/admin/sites/testsite', {
        json: { name: '测试中心', nameEn: 'Test Centre', region: '浙江省' },
      }),
  },
  {
    route: 'PUT /api/admin/partnerships/:id',
    allow: ['admin'],
    call: (c) =>
      c.request('PUT', '/api/admin/partnerships/test-pair', {
        json: {
          name: '测试',
          kind: '跨市通办',
          signedOn: '2026-01-01',
          description: '',
          sites: ['ningbo', 'lishui'],
          matters: ['huzhao'],
        },
      }),
  },
  { route: 'GET /api/admin/certificates', allow: ['admin'], call: (c) => c.get('/api/admin/certificates') },
  {
    route: 'POST /api/admin/users/:id/enrolment-code',
    allow: ['admin'],
    call: (c) => c.post('/api/admin/users/spare.clerk/enrolment-code'),
  },
  {
    route: 'POST /api/admin/users/:id/password',
    allow: ['admin'],
    call: (c) => c.post('/api/admin/users/spare.clerk/password', { password: 'reset-by-admin-1' }),
  },
  {
    route: 'POST /api/admin/certificates/:serial/revoke',
    allow: ['admin'],
    call: async (c) => {
      const certs = await server.app.services.pki.certificates({ userId: 'clerk.ninghai' });
      const serial = (certs.find((x) => x.status === 'valid') ?? certs[0])!.serial;
      return c.post(`/api/admin/certificates/${serial}/revoke`, { reason: 'superseded' });
    },
  },
  { route: 'GET /api/audit', allow: ['auditor', 'admin'], call: (c) => c.get('/api/audit?limit=5') },
  { route: 'GET /api/audit/verification', allow: ['auditor', 'admin'], call: (c) => c.get('/api/audit/verification') },
  { route: 'GET /api/stats', allow: ['auditor', 'admin'], call: (c) => c.get('/api/stats?by=site') },
  { route: 'GET /api/stats/ratings.csv', allow: ['auditor', 'admin'], call: (c) => c.get('/api/stats/ratings.csv') },
  {
    route: 'POST /api/cases/:id/rating-token',
    allow: ['guest'],
    call: (c) => c.post(`/api/cases/${caseId}/rating-token`),
  },
];

beforeAll(async () => {
  server = await TestServer.start({ seed: true });
  clients.anonymous = server.client();
  for (const who of staff) clients[who] = await server.login(who);
  await server.app.services.users.create({
    id: 'spare.clerk',
    username: 'spare.clerk',
    displayName: '备用',
    role: 'clerk',
    siteId: 'cixi',
    password: 'spare-password',
  });
  caseId = await freshCase();
  sessionId = (await clients['clerk.cixi'].post(`/api/cases/${caseId}/accept`)).json().sessionId;
  const code = (await clients['clerk.cixi'].post(`/api/cases/${caseId}/invitations`)).json().code;
  clients.guest = server.client();
  expect((await clients.guest.post('/api/join', { code })).status).toBe(200);
});

afterAll(async () => server?.dispose());

test('authorization matrix: every route × every principal', async () => {
  const failures: string[] = [];
  const lines: string[] = [];
  for (const row of rows) {
    const cells: string[] = [];
    for (const who of principals) {
      const res = await row.call(clients[who], who);
      const expectAllow = row.allow.includes(who);
      const expected = expectAllow ? '2xx' : who === 'anonymous' ? '401' : '403';
      const ok = expectAllow ? res.status >= 200 && res.status < 300 : res.status === Number(expected);
      if (!ok)
        failures.push(`${row.route} as ${who}: expected ${expected}, got ${res.status} ${res.text.slice(0, 120)}`);
      cells.push(`${expectAllow ? 'allow' : 'deny '}${ok ? ' ' : '!'}${String(res.status).padEnd(4)}`);
    }
    lines.push(`${row.route.padEnd(44)} ${cells.join(' ')}`);
  }
  const header = `${'route'.padEnd(44)} ${principals.map((p) => p.padEnd(11)).join(' ')}`;
  console.log(
    `authorization matrix (${rows.length} routes × ${principals.length} principals):\n${header}\n${lines.join('\n')}`,
  );
  expect(failures).toEqual([]);
});

test('every auditor read is itself in the audit log', async () => {
  const auditor = clients.auditor;
  await auditor.get(`/api/cases/${caseId}`);
  await auditor.get('/api/audit/verification');
  const entries = async (action: string) =>
    (await server.app.services.audit.list({ action, actor: 'user:auditor', limit: 200, offset: 0 })).entries;
  // Personal data as a `data.read` of the object, anything else as `auditor.read` of the path.
  expect((await entries('data.read')).map((e) => e.target)).toContain(`case:${caseId}`);
  expect((await entries('auditor.read')).map((e) => e.target)).toContain('/api/audit/verification');
});

test('a guest reaches only its own session', async () => {
  const other = await freshCase();
  const otherSession = (await clients['clerk.cixi'].post(`/api/cases/${other}/accept`)).json().sessionId;
  expect((await clients.guest.get(`/api/sessions/${otherSession}`)).status).toBe(403);
  expect((await clients.guest.get(`/api/sessions/${sessionId}`)).status).toBe(200);
  const me = (await clients.guest.get('/api/me')).json();
  expect(me).toMatchObject({ kind: 'guest', sessionId, caseId });
  const s = server.app.services.sessions;
  const guest = { kind: 'guest' as const, guestId: me.guestId, sessionId, caseId, displayName: '张三' };
  await expect(s.assertCanJoin(guest, otherSession)).rejects.toThrow(/not a participant/);
  expect((await s.assertCanJoin(guest, sessionId)).id).toBe(sessionId);
  // Another invitation's guest is not this session's applicant, even with the session's id.
  await expect(s.assertCanJoin({ ...guest, guestId: 'another-invitation' }, sessionId)).rejects.toThrow(
    /not a participant/,
  );
  await expect(
    s.assertCanJoin(
      { kind: 'user', userId: 'auditor', username: 'auditor', displayName: 'a', role: 'auditor', siteId: null },
      sessionId,
    ),
  ).rejects.toThrow(/auditors/);
});
