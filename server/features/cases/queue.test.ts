// The live queue over socket.io: cookie authentication, site rooms, pushes to the two sites of a
// case and to nobody else, and garbage events answered with error acks instead of crashes.
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CaseSummary } from './CaseService.js';
import { SESSION_COOKIE } from '../auth/index.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import { nextUpdate } from '../../test-support/case-updates.js';
import { TestServer, type TestSocket } from '../../test-support/TestServer.js';

let server: TestServer;
let xingren: HttpClient;
let cixi: HttpClient;

beforeAll(async () => {
  server = await TestServer.start({ seed: true });
  xingren = await server.login('clerk.xingren');
  cixi = await server.login('clerk.cixi');
});

afterAll(async () => server?.dispose());

function collect(socket: TestSocket): CaseSummary[] {
  const got: CaseSummary[] = [];
  socket.on('case:updated', (c) => got.push(c));
  return got;
}

/** A socket with hand-set handshake headers (what a browser on some origin would send). */
function connectWith(extraHeaders: Record<string, string>): Promise<ClientSocket> {
  const socket = io(server.url, {
    transports: ['websocket'],
    ca: server.rootPem,
    extraHeaders,
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw acks of garbage events, read field by field
const emitRaw = (socket: TestSocket, event: string, ...args: unknown[]): Promise<any> =>
  new Promise((resolve) => (socket as unknown as { emit: (...a: unknown[]) => void }).emit(event, ...args, resolve));

test('new and changed cases reach the handling and originating sites, not an unrelated one', async () => {
  const cixiSocket = await server.socket(cixi);
  const xingrenSocket = await server.socket(xingren);
  const ninghaiSocket = await server.socket(await server.login('clerk.ninghai'));
  const ninghaiGot = collect(ninghaiSocket);

  const queued = nextUpdate(cixiSocket, (c) => c.status === 'queued');
  const outgoing = nextUpdate(xingrenSocket, (c) => c.status === 'queued');
  const created = await xingren.post('/api/cases', {
    matterId: 'shebao-zhuanyi',
    handlingSite: 'cixi',
    applicant: { name: '王五', idNumber: '522501199001011234' },
  });
  const id = created.json().id;
  expect((await queued).id).toBe(id);
  expect((await outgoing).handlingSite.id).toBe('cixi');
  expect((await queued).applicant.idMasked).toBe('5225**********1234');

  const accepted = nextUpdate(xingrenSocket, (c) => c.id === id && c.status === 'in_session');
  await cixi.post(`/api/cases/${id}/accept`);
  expect((await accepted).sessionId).toBeTruthy();

  // Give any stray push time to arrive before asserting it did not.
  await new Promise((r) => setTimeout(r, 300));
  expect(ninghaiGot).toEqual([]);

  const list = await emitRaw(cixiSocket, 'queue:list', { status: 'in_session' });
  expect(list.ok).toBe(true);
  expect(list.data.cases.map((c: CaseSummary) => c.id)).toContain(id);
  const nothing = await emitRaw(ninghaiSocket, 'queue:list', {});
  expect(nothing).toEqual({ ok: true, data: { cases: [] } });
});

test('sockets without a valid session cookie, or from another origin, are refused', async () => {
  await expect(server.socket()).rejects.toThrow(/unauthenticated/);
  const forged = server.client();
  forged.cookie = `${SESSION_COOKIE}=forged-token`;
  await expect(server.socket(forged)).rejects.toThrow(/unauthenticated/);
  // A page on another origin cannot open a socket with a clerk's cookie.
  await expect(connectWith({ cookie: cixi.cookie!, origin: 'https://evil.example' })).rejects.toThrow();
  (await connectWith({ cookie: cixi.cookie!, origin: server.url })).close();
});

test('garbage events get error acks; the server survives and keeps serving', async () => {
  const socket = await server.socket(cixi);
  expect(await emitRaw(socket, 'queue:list', { status: 'nonsense' })).toMatchObject({
    ok: false,
    error: { code: 'invalid_request' },
  });
  expect(await emitRaw(socket, 'queue:list', 'not an object')).toMatchObject({
    ok: false,
    error: { code: 'invalid_request' },
  });
  expect(await emitRaw(socket, 'queue:list', { extra: 1 })).toMatchObject({
    ok: false,
    error: { code: 'invalid_request' },
  });
  expect(await emitRaw(socket, 'no-such-event', { a: 1 })).toMatchObject({
    ok: false,
    error: { code: 'unknown_event' },
  });
  (socket as unknown as { emit: (...a: unknown[]) => void }).emit('queue:list'); // no ack, no payload
  (socket as unknown as { emit: (...a: unknown[]) => void }).emit('case:updated', { forged: true });

  // An oversized message closes that one connection only.
  const big = await server.socket(cixi);
  const closed = new Promise((r) => big.once('disconnect', r));
  (big as unknown as { emit: (...a: unknown[]) => void }).emit('queue:list', { status: 'x'.repeat(2_000_000) });
  await closed;

  expect(await emitRaw(socket, 'queue:list', {})).toMatchObject({ ok: true });
  const fresh = await server.socket(cixi);
  expect(await emitRaw(fresh, 'queue:list', {})).toMatchObject({ ok: true });
  expect((await server.client().get('/healthz')).status).toBe(200);
});

test('a guest socket is bound to its session, joins no site room and closes when the session ends', async () => {
  const created = await xingren.post('/api/cases', {
    matterId: 'shebao-tingjiao',
    handlingSite: 'cixi',
    applicant: { name: '赵六', idNumber: '522501199001011234' },
  });
  const id = created.json().id;
  await cixi.post(`/api/cases/${id}/accept`);
  const { code } = (await cixi.post(`/api/cases/${id}/invitations`)).json();
  const guest = server.client();
  await guest.post('/api/join', { code });
  const socket = await server.socket(guest);
  const got = collect(socket);
  expect(await emitRaw(socket, 'queue:list', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  // The case withdrawn ends its session, and with it the guest's login: its live connection closes.
  const closed = new Promise((r) => socket.once('disconnect', r));
  await xingren.post(`/api/cases/${id}/cancel`);
  await closed;
  expect(got).toEqual([]);
  expect((await guest.get('/api/me')).status).toBe(401);
});

test('logging out or disabling the account closes the live connections', async () => {
  const ninghai = await server.login('clerk.ninghai');
  const socket = await server.socket(ninghai);
  const closed = new Promise((r) => socket.once('disconnect', r));
  await ninghai.post('/api/auth/logout');
  await closed;

  const jiaojiang = await server.login('clerk.jiaojiang');
  const other = await server.socket(jiaojiang);
  const bystander = await server.socket(cixi);
  const gone = new Promise((r) => other.once('disconnect', r));
  await (await server.login('admin')).post('/api/admin/users/clerk.jiaojiang/disable');
  await gone;
  expect(bystander.connected).toBe(true);
});
