// Every read of personal data by staff is in the audit log (issue 12 §6): clerks, auditors and
// admins read case details, lists, sessions, the ceremony document and state, user listings, over
// HTTP and socket.io, and each read is one `data.read` entry naming the actor, the object and what
// was read. Guests reading their own session are not staff and write none.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AuditEntry } from '../kernel/audit/AuditLog.js';
import type { HttpClient } from '../test-support/HttpClient.js';
import { ceremonyRequest } from '../test-support/flow-fixtures.js';
import { TestServer, type TestSocket } from '../test-support/TestServer.js';

let server: TestServer;
let caseId: string;
let sessionId: string;
let ceremonyId: string;
let documentId: string;
let clients: Record<'xingren' | 'cixi' | 'ninghai' | 'auditor' | 'admin', HttpClient>;

const reads = async (actor: string): Promise<AuditEntry[]> =>
  (await server.app.services.audit.list({ action: 'data.read', actor, limit: 500, offset: 0 })).entries;
const emit = (socket: TestSocket, event: string, payload: unknown) =>
  new Promise<{ ok: boolean }>((resolve) =>
    (socket as unknown as { emit(e: string, p: unknown, ack: (r: { ok: boolean }) => void): void }).emit(
      event,
      payload,
      resolve,
    ),
  );

beforeAll(async () => {
  server = await TestServer.start({ seed: true });
  const [xingren, cixi, ninghai, auditor, admin] = await Promise.all(
    ['clerk.xingren', 'clerk.cixi', 'clerk.ninghai', 'auditor', 'admin'].map((u) => server.login(u)),
  );
  clients = { xingren: xingren!, cixi: cixi!, ninghai: ninghai!, auditor: auditor!, admin: admin! };
  caseId = (
    await clients.xingren.post('/api/cases', {
      matterId: 'shebao-tingjiao',
      handlingSite: 'cixi',
      applicant: { name: '张三', idNumber: '522501199001011234' },
    })
  ).json().id;
  sessionId = (await clients.cixi.post(`/api/cases/${caseId}/accept`)).json().sessionId;
  const { body, headers } = await ceremonyRequest();
  const created = await clients.ninghai.post('/api/ceremonies', undefined, { body, headers });
  expect(created.status).toBe(201);
  ({ id: ceremonyId, documentId } = created.json());
});

afterAll(async () => server?.dispose());

test('a clerk reading a case, the case list (HTTP and socket) and the session: one data.read each', async () => {
  expect((await clients.cixi.get(`/api/cases/${caseId}`)).status).toBe(200);
  expect((await clients.cixi.get('/api/cases')).status).toBe(200);
  expect((await clients.cixi.get(`/api/sessions/${sessionId}`)).status).toBe(200);
  const socket = await server.socket(clients.cixi);
  expect((await emit(socket, 'queue:list', {})).ok).toBe(true);
  const entries = await reads('user:clerk.cixi');
  expect(entries.map((e) => [e.target, e.details.what, e.details.via])).toEqual([
    [`case:${caseId}`, 'case detail (applicant name, masked ID)', 'http'],
    ['cases', 'case list (applicant names)', 'http'],
    [`session:${sessionId}`, 'session participants', 'http'],
    ['cases', 'case list (applicant names)', 'socket'],
  ]);
  expect(entries[0]).toMatchObject({ siteId: 'cixi', details: { role: 'clerk', path: `/api/cases/${caseId}` } });
});

test('an auditor reading the case, the ceremony document (HTTP) and the ceremony state (socket)', async () => {
  expect((await clients.auditor.get(`/api/cases/${caseId}`)).status).toBe(200);
  expect((await clients.auditor.get(`/api/documents/${documentId}`)).status).toBe(200);
  expect((await clients.auditor.get(`/api/ceremonies/${ceremonyId}`)).status).toBe(200);
  const socket = await server.socket(clients.auditor);
  expect((await emit(socket, 'ceremony:join', { ceremonyId })).ok).toBe(true);
  expect((await reads('user:auditor')).map((e) => [e.target, e.details.what, e.details.via])).toEqual([
    [`case:${caseId}`, 'case detail (applicant name, masked ID)', 'http'],
    [`document:${documentId}`, 'signed PDF', 'http'],
    [`ceremony:${ceremonyId}`, 'ceremony state (signer names)', 'http'],
    [`ceremony:${ceremonyId}`, 'ceremony state (signer names)', 'socket'],
  ]);
  // One entry per read: the personal-data read is not also written as a generic auditor.read.
  const generic = await server.app.services.audit.list({
    action: 'auditor.read',
    actor: 'user:auditor',
    limit: 50,
    offset: 0,
  });
  expect(generic.entries.map((e) => e.target)).not.toContain(`/api/cases/${caseId}`);
});

test('an admin listing users and reading the agreement: data.read; a refused read writes nothing', async () => {
  expect((await clients.admin.get('/api/admin/users')).status).toBe(200);
  expect((await clients.admin.get(`/api/documents/${documentId}/verification`)).status).toBe(200);
  expect((await clients.ninghai.get(`/api/cases/${caseId}`)).status).toBe(403); // another site's case
  expect((await reads('user:admin')).map((e) => [e.target, e.details.what])).toEqual([
    ['users', 'user list (names, usernames)'],
    [`document:${documentId}`, 'signature report (signer names)'],
  ]);
  expect((await reads('user:clerk.ninghai')).map((e) => e.target)).not.toContain(`case:${caseId}`);
});
