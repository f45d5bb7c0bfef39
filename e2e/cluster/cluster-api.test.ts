// Two real API nodes (`tongban serve` from the built CLI, bench/support/cluster-node.ts) in two hosts of
// the cluster lab, on one PostgreSQL, one Redis and one S3 server (Ceph radosgw) that listen on the
// lab's switch (issue 14 §6). The test talks to the nodes over the switch as browsers and a load
// balancer would: a case created on A reaches a clerk's live queue on B; a login made on A is valid on
// B; login limits count across nodes; node A killed (SIGKILL) mid-session: its clients go on on B;
// PostgreSQL restarted under the nodes: a request meanwhile gets a 503, the nodes recover by
// themselves, nothing committed is lost. Needs root (namespaces); without it the lab's creation fails.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ClusterLab } from '../../bench/support/clusterlab.js';
import { ClusterNode, probe, type ClusterEnv } from '../../bench/support/cluster-node.js';
import type { CaseDetail, CaseSummary } from '../../protocol/http/cases.js';
import { DEMO_PASSWORD } from '../../server/demo/demo-data.js';
import { auditAnchorFile } from '../../server/kernel/config.js';
import { closeEmbeddedToken } from '../../server/kernel/hsm/embedded-softhsm.js';
import { nextUpdate } from '../../server/test-support/case-updates.js';
import {
  s3Env,
  s3Settings,
  startEngine,
  stopEngine,
  type EngineInstance,
  type EngineName,
} from '../../server/test-support/engines.js';
import { HttpClient, type TestResponse } from '../../server/test-support/HttpClient.js';
import { TestServer, type TestSocket } from '../../server/test-support/TestServer.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'tongban-cluster-api-'));
// PostgreSQL runs as the user postgres, who must be able to pass through to its folder.
chmodSync(dir, 0o711);
const engineNames: EngineName[] = ['postgres', 'redis', 's3'];
const figures: string[] = [];
const sockets: TestSocket[] = [];
let lab: ClusterLab;
let engines: Record<EngineName, EngineInstance>;
let env: ClusterEnv;
let rootPem: string;
let a: ClusterNode;
let b: ClusterNode;
let nextAddress = 0;

const viaLab = (url: string) => url.replace('127.0.0.1', lab.callerIp);
const ms = (t0: number) => Math.round(performance.now() - t0);

/** A browser on `node` with its own address on the switch (per-address limits tell clients apart). */
function client(node: ClusterNode, cookie?: string): HttpClient {
  const c = new HttpClient(node.url, rootPem);
  c.localAddress = lab.addCallerAddress(nextAddress++);
  c.cookie = cookie;
  return c;
}

/** The same browser (cookie, address) sent to another node, as a load balancer does after a failure. */
function moveTo(c: HttpClient, node: ClusterNode): HttpClient {
  const moved = new HttpClient(node.url, rootPem);
  moved.localAddress = c.localAddress;
  moved.cookie = c.cookie;
  return moved;
}

async function login(node: ClusterNode, username: string): Promise<HttpClient> {
  const c = client(node);
  const r = await c.post('/api/auth/login', { username, password: DEMO_PASSWORD });
  expect(r.status, `${username} on ${node.name}: ${r.text}`).toBe(200);
  return c;
}

async function socket(node: ClusterNode, c: HttpClient): Promise<TestSocket> {
  const s: TestSocket = io(node.url, {
    transports: ['websocket'],
    ca: rootPem,
    extraHeaders: c.cookie ? { cookie: c.cookie } : {},
    reconnection: false,
    forceNew: true,
  });
  sockets.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

const refusal = (r: TestResponse) => ({ status: r.status, code: r.json().error?.code as string | undefined });

function startNode(name: 'a' | 'b'): Promise<ClusterNode> {
  const host = `node-${name}`;
  return ClusterNode.start({
    name: host,
    dataDir: join(dir, 'nodes', host),
    installDir: join(dir, 'install'),
    rootPem,
    env,
    host: lab.ip(host),
    port: 8443,
    netns: lab.ns(host),
  });
}

beforeAll(async () => {
  const t0 = performance.now();
  lab = ClusterLab.create(['node-a', 'node-b']);
  // At once (Ceph takes longest); each is stopped by its folder in afterAll, whichever started.
  const started = await Promise.allSettled(
    engineNames.map((name) => startEngine(name, join(dir, name), { listen: lab.callerIp })),
  );
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const [pg, redis, s3] = started.map((s) => (s as PromiseFulfilledResult<EngineInstance>).value) as [
    EngineInstance,
    EngineInstance,
    EngineInstance,
  ];
  engines = { postgres: pg, redis, s3 };
  const enginesMs = ms(t0);
  env = {
    TONGBAN_DATABASE_URL: viaLab(pg.url),
    TONGBAN_REDIS_URL: viaLab(redis.url),
    ...s3Env({ ...s3Settings(s3, 'tongban'), endpoint: viaLab(s3.url) }),
    // API nodes: no media plane (helper K's cascade tests the media nodes).
    TONGBAN_MEDIA: 'off',
    // One append-only audit anchor for the whole cluster (a shared volume; here the machine's disk).
    TONGBAN_AUDIT_ANCHOR: join(dir, 'audit-anchor'),
    // Per account and address: 3 attempts a window; per account from any address: locked at the 4th failure.
    TONGBAN_LIMIT_LOGIN_ATTEMPTS_PER_WINDOW: '3',
    TONGBAN_LIMIT_LOGIN_ACCOUNT_BACKOFF_AFTER: '50',
    TONGBAN_LIMIT_LOGIN_ACCOUNT_LOCK_AFTER: '4',
  };
  // The shared installation, once (what `tongban demo` does for scripts/cluster.sh, here in-process with
  // the tests' lighter PKI tuning): schema, platform PKI in the install folder's token, demo accounts.
  const t1 = performance.now();
  const installer = await TestServer.start({
    seed: true,
    dataDir: join(dir, 'install'),
    databaseUrl: env.TONGBAN_DATABASE_URL,
    s3: { ...s3Settings(s3, 'tongban'), endpoint: viaLab(s3.url) },
  });
  rootPem = installer.rootPem;
  await installer.stop();
  closeEmbeddedToken(installer.dataDir);
  // The checkpoints anchored while preparing go with the installation to the cluster's anchor.
  renameSync(auditAnchorFile(installer.app.services.config), env.TONGBAN_AUDIT_ANCHOR!);
  const installMs = ms(t1);
  [a, b] = await Promise.all([startNode('a'), startNode('b')]);
  figures.push(
    `start-up: engines ${enginesMs} ms (PostgreSQL, Redis, Ceph radosgw at once), installation prepared ` +
      `(demo seed on PostgreSQL) ${installMs} ms, node A ${a.startMs} ms, node B ${b.startMs} ms ` +
      `(A ${a.url} in ${lab.ns('node-a')}, B ${b.url} in ${lab.ns('node-b')})`,
  );
}, 240_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await Promise.all([a?.stop(), b?.stop()]);
  lab?.close();
  await Promise.all(engineNames.map((name) => stopEngine(name, join(dir, name)).catch(() => undefined)));
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`cluster API (two nodes in two namespaces):\n${figures.map((f) => `  ${f}`).join('\n')}\n`);
}, 120_000);

describe('two API nodes in two lab hosts', () => {
  test('a case created on A appears live on the handling clerk’s queue on B', async () => {
    const cixiOnB = await login(b, 'clerk.cixi');
    const queueOnB = await socket(b, cixiOnB);
    const xingrenOnA = await login(a, 'clerk.xingren');
    const seen = nextUpdate(queueOnB, (c) => c.applicant.name === '跨节点 甲' && c.status === 'queued').then((c) => ({
      c,
      at: performance.now(),
    }));
    const t0 = performance.now();
    const created = await xingrenOnA.post('/api/cases', {
      matterId: 'shebao-zhuanyi',
      handlingSite: 'cixi',
      applicant: { name: '跨节点 甲', idNumber: '522501199001011234' },
    });
    expect(created.status, created.text).toBe(201);
    const { c, at } = await seen;
    expect(c.id).toBe(created.json<{ id: string }>().id);
    // B's own HTTP answer agrees (the same PostgreSQL).
    const onB = (await cixiOnB.get(`/api/cases/${c.id}`)).json<CaseDetail>();
    expect(onB.status).toBe('queued');
    figures.push(`(a) case created on A → case:updated on B's clerk socket after ${Math.round(at - t0)} ms`);
  });

  test('a login on A is valid on B; a logout on B ends it on A', async () => {
    const t0 = performance.now();
    const onA = await login(a, 'auditor');
    const loginMs = ms(t0);
    const onB = moveTo(onA, b);
    const me = await onB.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.json()).toMatchObject({ kind: 'user', username: 'auditor' });
    expect((await onB.post('/api/auth/logout')).status).toBe(200);
    expect(refusal(await onA.get('/api/me'))).toEqual({ status: 401, code: 'unauthenticated' });
    figures.push(`(b) login on A in ${loginMs} ms, its cookie valid on B; logout on B → 401 on A`);
  });

  test('login limits count across nodes: the same totals as on one node', async () => {
    const attempt = (node: ClusterNode, username: string, password: string, c = client(node)) =>
      c.post('/api/auth/login', { username, password }).then((r) => r.status);
    /** Wrong passwords, each from a new address, on the nodes in turn, until the account is locked (423). */
    const failuresUntilLock = async (username: string, nodes: ClusterNode[]) => {
      const statuses: number[] = [];
      while (statuses.at(-1) !== 423 && statuses.length < 10)
        statuses.push(await attempt(nodes[statuses.length % nodes.length]!, username, 'wrong'));
      return statuses;
    };
    const lockOne = await failuresUntilLock('official.ninghai', [a]);
    const lockBoth = await failuresUntilLock('official.jiaojiang', [a, b]);
    expect(lockOne).toEqual([401, 401, 401, 401, 423]);
    expect(lockBoth).toEqual(lockOne);
    // The right password is refused on either node while locked.
    expect(await attempt(b, 'official.jiaojiang', DEMO_PASSWORD)).toBe(423);

    /** From one address, on the nodes in turn, until refused (429). */
    const attemptsFromOneAddress = async (username: string, nodes: ClusterNode[]) => {
      const from = client(a);
      const statuses: number[] = [];
      while (statuses.at(-1) !== 429 && statuses.length < 10)
        statuses.push(
          await attempt(
            nodes[statuses.length % nodes.length]!,
            username,
            'wrong',
            moveTo(from, nodes[statuses.length % nodes.length]!),
          ),
        );
      return statuses;
    };
    const addressOne = await attemptsFromOneAddress('clerk.ninghai', [a]);
    const addressBoth = await attemptsFromOneAddress('clerk.jiaojiang', [a, b]);
    expect(addressOne).toEqual([401, 401, 401, 429]);
    expect(addressBoth).toEqual(addressOne);
    figures.push(
      `(c) account lock (4 failures): one node A,A,A,A,A → ${lockOne.join(',')}; spread A,B,A,B,A → ${lockBoth.join(',')}; ` +
        `per-address budget (3): A,A,A,A → ${addressOne.join(',')}; A,B,A,B → ${addressBoth.join(',')}`,
    );
  });

  test('node A killed mid-session: its clients go on on B (the case, its session, its events)', async () => {
    const xingren = await login(a, 'clerk.xingren');
    const cixi = await login(a, 'clerk.cixi');
    let queue = await socket(a, cixi);
    const created = await xingren.post('/api/cases', {
      matterId: 'shebao-tingjiao',
      handlingSite: 'cixi',
      applicant: { name: '故障 乙', idNumber: '522501199606061234' },
    });
    expect(created.status, created.text).toBe(201);
    const { id } = created.json<{ id: string }>();
    const accepted = await cixi.post(`/api/cases/${id}/accept`);
    expect(accepted.status, accepted.text).toBe(200);
    const { sessionId } = accepted.json<{ sessionId: string }>();
    const code = (await cixi.post(`/api/cases/${id}/invitations`)).json<{ code: string }>().code;
    const applicant = client(a);
    expect((await applicant.post('/api/join', { code })).status).toBe(200);

    // The crash: no clean-up on A. Its sockets see the connection drop; the clients' next request to A
    // fails, and the load balancer (this test) retries it on B with the same cookie.
    const dropped = new Promise<number>((resolve) => queue.once('disconnect', () => resolve(performance.now())));
    const t0 = performance.now();
    await a.kill();
    const droppedMs = Math.round((await dropped) - t0);
    const onA = await cixi.get(`/api/cases/${id}`).then(
      (r) => `HTTP ${r.status}`,
      (err: NodeJS.ErrnoException) => err.code ?? err.message,
    );
    expect(onA).toBe('ECONNREFUSED');
    const [cixiB, xingrenB, applicantB] = [cixi, xingren, applicant].map((c) => moveTo(c, b)) as [
      HttpClient,
      HttpClient,
      HttpClient,
    ];
    const detail = (await cixiB.get(`/api/cases/${id}`)).json<CaseDetail>();
    const firstAnswerMs = ms(t0);
    queue = await socket(b, cixiB);
    const reconnectMs = ms(t0);
    expect(detail.status).toBe('in_session');
    expect(detail.history.map((e) => e.to)).toEqual(['created', 'queued', 'in_session']);
    const session = await applicantB.get(`/api/sessions/${sessionId}`);
    expect(session.status, session.text).toBe(200);
    const participants = session.json<{ participants: { guest: boolean }[] }>().participants;
    expect(participants.filter((p) => p.guest)).toHaveLength(1);
    // The session goes on on B: B knows the applicant joined on A (a fresh code is refused), then the
    // originating clerk withdraws the case and the handling clerk's socket on B gets the change.
    expect(refusal(await cixiB.post(`/api/cases/${id}/invitations`))).toEqual({
      status: 409,
      code: 'applicant_already_joined',
    });
    const cancelled = nextUpdate(queue, (c: CaseSummary) => c.id === id && c.status === 'cancelled');
    expect((await xingrenB.post(`/api/cases/${id}/cancel`, { reason: '节点故障测试' })).status).toBe(200);
    await cancelled;
    const after = (await cixiB.get(`/api/cases/${id}`)).json<CaseDetail>();
    expect(after.history.map((e) => e.to)).toEqual(['created', 'queued', 'in_session', 'cancelled']);
    // The audit chain holds what A wrote before it died and what B wrote after.
    const auditor = await login(b, 'auditor');
    const verified = (await auditor.get('/api/audit/verification')).json<{ valid: boolean; entries: number }>();
    expect(verified.valid, JSON.stringify(verified)).toBe(true);

    const t1 = performance.now();
    a = await startNode('a');
    figures.push(
      `(d) SIGKILL of A: its socket saw the drop after ${droppedMs} ms; the next request to A → ${onA}, retried ` +
        `on B: answered ${firstAnswerMs} ms after the kill, the clerk's socket reconnected on B after ${reconnectMs} ms; on B the case went on ` +
        `(history ${after.history.map((e) => e.to).join('→')}, the applicant's session on B with ${participants.length} participants); ` +
        `audit chain ${verified.entries} entries, valid; A restarted in ${ms(t1)} ms`,
    );
  });

  test('PostgreSQL restarted under the nodes: 503s meanwhile, recovery by themselves, nothing lost', async () => {
    const xingrenA = await login(a, 'clerk.xingren');
    const xingrenB = moveTo(xingrenA, b);
    const cixiB = await login(b, 'clerk.cixi');
    const count = async (c: HttpClient) => (await c.get('/api/cases?limit=1')).json<{ total: number }>().total;
    const before = await count(cixiB);
    // Writers on both nodes all along, before, during and after the restart: every answer is a 201 or
    // a 503 (never a 500, never a dead node), and every 201 is still there afterwards.
    const writes: { node: string; status: number; id?: string; code?: string }[] = [];
    let writing = true;
    const writer = async (c: HttpClient, node: string) => {
      for (let i = 0; writing; i++) {
        const r = await c.post('/api/cases', {
          matterId: 'shebao-zhuanyi',
          handlingSite: 'cixi',
          applicant: { name: `重启 ${node} ${i}`, idNumber: '522501199001011234' },
        });
        const body = r.json<{ id?: string; error?: { code: string } }>();
        writes.push({ node, status: r.status, id: body.id, code: body.error?.code });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const writers = [writer(xingrenA, 'A'), writer(xingrenB, 'B')];
    await new Promise((resolve) => setTimeout(resolve, 500));

    const pg = engines.postgres;
    const t0 = performance.now();
    await run('bash', ['scripts/engines/postgres.sh', 'stop', '--dir', pg.dir], { timeout: 60_000 });
    const stoppedMs = ms(t0);
    // While it is down: a clear refusal on both nodes, and /healthz tells a load balancer.
    const duringA = await xingrenA.get('/api/cases?limit=1');
    const duringB = await cixiB.get('/api/cases?limit=1');
    expect(refusal(duringA)).toEqual({ status: 503, code: 'database_unavailable' });
    expect(refusal(duringB)).toEqual({ status: 503, code: 'database_unavailable' });
    expect(await probe(`${b.url}/healthz`, rootPem)).toBe(503);
    const t1 = performance.now();
    await run(
      'bash',
      ['scripts/engines/postgres.sh', 'start', '--dir', pg.dir, '--port', pg.state.PORT!, '--listen', lab.callerIp],
      { timeout: 120_000 },
    );
    const restartMs = ms(t1);
    // The nodes recover by themselves: each node's first 200 after the restart.
    const recovered: number[] = [];
    for (const c of [xingrenA, cixiB]) {
      const t = performance.now();
      let r = await c.get('/api/cases?limit=1');
      while (r.status !== 200 && performance.now() - t < 20_000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        r = await c.get('/api/cases?limit=1');
      }
      expect(r.status, r.text).toBe(200);
      recovered.push(ms(t));
    }
    // A few more writes after recovery, then the writers stop.
    const settled = writes.length;
    while (writes.length < settled + 4) await new Promise((resolve) => setTimeout(resolve, 50));
    writing = false;
    await Promise.all(writers);

    expect(a.running && b.running).toBe(true);
    const statuses = new Set(writes.map((w) => `${w.status} ${w.code ?? ''}`.trim()));
    expect([...statuses].sort()).toEqual(['201', '503 database_unavailable']);
    expect(writes.at(-1)!.status).toBe(201);
    const created = writes.filter((w) => w.status === 201);
    for (const w of created) expect((await cixiB.get(`/api/cases/${w.id}`)).status).toBe(200);
    const after = await count(cixiB);
    // A 503 may hide a commit whose answer the stop cut off; none may be missing.
    expect(after).toBeGreaterThanOrEqual(before + created.length);
    const auditor = await login(a, 'auditor');
    const verified = (await auditor.get('/api/audit/verification')).json<{ valid: boolean; entries: number }>();
    expect(verified.valid, JSON.stringify(verified)).toBe(true);
    const refused = writes.length - created.length;
    figures.push(
      `(e) PostgreSQL stopped in ${stoppedMs} ms: GET on A and B → ${duringA.status} ${refusal(duringA).code}, ` +
        `/healthz 503; restarted in ${restartMs} ms; first 200 after it: A ${recovered[0]} ms, B ${recovered[1]} ms; ` +
        `writers on A and B throughout: ${created.length} × 201 (all found after), ${refused} × 503, no other answer; ` +
        `cases ${before} → ${after} (${after - before - created.length} committed behind a 503); audit chain ` +
        `${verified.entries} entries, valid; both nodes the same processes throughout`,
    );
  });
});
