// Two real app nodes (two createApp servers on their own ports) sharing the run's real Redis and one
// SQLite data directory (issue 14 §2): a case created on A reaches a clerk's live queue on B over
// socket.io (the Redis adapter), a login made on A is valid on B and a logout on B ends it on A
// (its socket on A closes too), and the login limits count attempts made on either node.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CaseSummary } from '../features/cases/index.js';
import type { HttpClient, TestResponse } from '../test-support/HttpClient.js';
import { nextUpdate } from '../test-support/case-updates.js';
import { testRedis } from '../test-support/redis.js';
import { TestServer, type TestSocket } from '../test-support/TestServer.js';
import { DEMO_PASSWORD } from '../demo/demo-data.js';

const figures: string[] = [];
let a: TestServer;
let b: TestServer;

const limits = {
  // Per account and address: 3 attempts a window; per account from any address: locked at the 4th failure.
  loginAttemptsPerWindow: 3,
  loginAccountBackoffAfter: 50,
  loginAccountLockAfter: 4,
};

beforeAll(async () => {
  const redis = testRedis();
  a = await TestServer.start({ seed: true, redis, limits });
  b = await TestServer.start({ dataDir: a.dataDir, redis, limits });
});

afterAll(async () => {
  await b?.stop();
  await a?.dispose();
  process.stdout.write(`cluster shared state (two nodes, one Redis):\n${figures.map((f) => `  ${f}`).join('\n')}\n`);
});

const from = (node: TestServer, address: string, cookie?: string): HttpClient => {
  const c = node.client();
  c.localAddress = address;
  c.cookie = cookie;
  return c;
};
const login = (c: HttpClient, username: string, password: string) => c.post('/api/auth/login', { username, password });
const refusal = (r: TestResponse) => ({ status: r.status, code: r.json().error?.code as string | undefined });

describe('two nodes sharing Redis', () => {
  test('the nodes are two servers on two ports, one data directory', () => {
    expect(a.url).not.toBe(b.url);
    expect(b.dataDir).toBe(a.dataDir);
    expect(a.app.services.redis).toBeDefined();
    figures.push(`node A ${a.url}, node B ${b.url}, data ${a.dataDir}`);
  });

  test('a case created on A appears live on the handling clerk’s queue on B, once', async () => {
    const cixiOnB = await b.socket(await b.login('clerk.cixi'));
    const xingrenOnA = await a.login('clerk.xingren');
    // The originating clerk's own socket on A: the same push without crossing nodes, for comparison.
    const xingrenSocketOnA = await a.socket(xingrenOnA);
    const received: CaseSummary[] = [];
    cixiOnB.on('case:updated', (c) => received.push(c));
    const onB: number[] = [];
    const onA: number[] = [];
    for (let i = 0; i < 5; i++) {
      const name = `跨节点 ${i}`;
      const stamp = (socket: TestSocket) =>
        nextUpdate(socket, (c) => c.status === 'queued' && c.applicant.name === name).then((c) => ({
          c,
          at: performance.now(),
        }));
      const [queuedB, queuedA] = [stamp(cixiOnB), stamp(xingrenSocketOnA)];
      const t0 = performance.now();
      const created = await xingrenOnA.post('/api/cases', {
        matterId: 'shebao-zhuanyi',
        handlingSite: 'cixi',
        applicant: { name, idNumber: '522501199001011234' },
      });
      expect(created.status).toBe(201);
      const [seenB, seenA] = await Promise.all([queuedB, queuedA]);
      onB.push(seenB.at - t0);
      onA.push(seenA.at - t0);
      expect(seenB.c.id).toBe(created.json().id);
      expect(seenB.c.applicant.idMasked).toBe('5225**********1234');
    }
    // No push came twice (each node emits only what its own services changed).
    await new Promise((r) => setTimeout(r, 300));
    expect(received.filter((c) => c.status === 'queued')).toHaveLength(5);
    const list = (ms: number[]) => ms.map((x) => x.toFixed(1)).join(', ');
    figures.push(
      `case created on A (POST sent) → case:updated on B's clerk socket: ${list(onB)} ms, median ${median(onB).toFixed(1)} ms; ` +
        `on A's own clerk socket: ${list(onA)} ms, median ${median(onA).toFixed(1)} ms`,
    );
  });

  test('a login on A is valid on B; logout on B ends it on A and closes its socket there', async () => {
    const t0 = performance.now();
    const onA = await a.login('clerk.jiaojiang');
    const loginMs = performance.now() - t0;
    const onB = from(b, '127.0.0.1', onA.cookie);
    const me = await onB.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.json()).toMatchObject({ kind: 'user', username: 'clerk.jiaojiang' });
    const socketOnA = await a.socket(onA);
    const socketOnB = await b.socket(onB);
    const closedOnA = new Promise<number>((resolve) => socketOnA.once('disconnect', () => resolve(performance.now())));
    const closedOnB = new Promise<number>((resolve) => socketOnB.once('disconnect', () => resolve(performance.now())));

    const t1 = performance.now();
    expect((await onB.post('/api/auth/logout')).status).toBe(200);
    const [atA, atB] = await Promise.all([closedOnA, closedOnB]);
    expect(refusal(await from(a, '127.0.0.1', onA.cookie).get('/api/me'))).toEqual({
      status: 401,
      code: 'unauthenticated',
    });
    expect(refusal(await from(b, '127.0.0.1', onA.cookie).get('/api/me'))).toEqual({
      status: 401,
      code: 'unauthenticated',
    });
    figures.push(
      `login on A ${loginMs.toFixed(1)} ms, valid on B at once; logout on B → socket closed on A after ` +
        `${(atA - t1).toFixed(1)} ms, on B after ${(atB - t1).toFixed(1)} ms`,
    );
  });

  test('an admin disabling a user on B ends that user’s login made on A', async () => {
    const onA = await a.login('clerk.ninghai');
    const admin = await b.login('admin');
    expect((await admin.post('/api/admin/users/clerk.ninghai/disable')).status).toBe(200);
    expect(refusal(await onA.get('/api/me'))).toEqual({ status: 401, code: 'unauthenticated' });
    expect((await admin.post('/api/admin/users/clerk.ninghai/enable')).status).toBe(200);
  });

  test('account lock counts failures on both nodes: 3 wrong passwords on A and 1 on B lock it', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 3; i++)
      statuses.push((await login(from(a, `127.0.0.1${i}`, undefined), 'official.ninghai', 'x')).status);
    statuses.push((await login(from(b, '127.0.0.14'), 'official.ninghai', 'y')).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
    const right = await login(from(a, '127.0.0.15'), 'official.ninghai', DEMO_PASSWORD);
    expect(refusal(right)).toEqual({ status: 423, code: 'account_locked' });
    expect(refusal(await login(from(b, '127.0.0.16'), 'official.ninghai', DEMO_PASSWORD))).toEqual({
      status: 423,
      code: 'account_locked',
    });
    const locks = (
      await a.app.services.audit.list({ action: 'auth.account_locked', limit: 50, offset: 0 })
    ).entries.filter((e) => e.details.username === 'official.ninghai');
    expect(locks).toHaveLength(1);
    figures.push(
      `account lock: failures on A,A,A,B → ${statuses.join(',')}; right password on A and B → 423 account_locked`,
    );
  });

  test('the per-address budget counts attempts on both nodes: 3 on A, the 4th on B is refused', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await login(from(a, '127.0.0.21'), 'official.jiaojiang', 'x')).status);
    const fourth = await login(from(b, '127.0.0.21'), 'official.jiaojiang', DEMO_PASSWORD);
    expect(statuses).toEqual([401, 401, 401]);
    expect(refusal(fourth)).toEqual({ status: 429, code: 'rate_limited' });
    // Another address still may (the account is not locked: 3 failures < 4).
    expect((await login(from(b, '127.0.0.22'), 'official.jiaojiang', DEMO_PASSWORD)).status).toBe(200);
    figures.push(
      `per-address budget (3): A,A,A → ${statuses.join(',')}; 4th from the same address on B → 429 rate_limited`,
    );
  });
});

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}
