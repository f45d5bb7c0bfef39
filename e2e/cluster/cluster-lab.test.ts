// The cluster lab (issue 14 §6) itself: hosts in network namespaces on one switch, the engines the
// nodes share reachable from every host on the lab's address and nowhere else but loopback, hosts
// reaching each other, and a host cut off by its switch port. The cluster fault tests build on it.
// Needs root (namespaces, veths, a bridge); without it the lab's creation fails, saying so.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ClusterLab } from '../../bench/support/clusterlab.js';
import { startEngine, stopEngine, type EngineInstance } from '../../server/test-support/engines.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'tongban-clusterlab-'));
// PostgreSQL runs as the user postgres, who must be able to pass through to its folder.
chmodSync(dir, 0o711);
let lab: ClusterLab;
let pg: EngineInstance;
let redis: EngineInstance;

/** Runs a small ES module script with node inside the host's namespace; resolves with its stdout. */
async function onHost(host: string, script: string, timeoutMs = 15_000): Promise<string> {
  const { stdout } = await run(
    'ip',
    ['netns', 'exec', lab.ns(host), process.execPath, '--input-type=module', '-e', script],
    { cwd: process.cwd(), timeout: timeoutMs },
  );
  return stdout.trim();
}

const viaLab = (url: string) => url.replace('127.0.0.1', lab.callerIp);

beforeAll(async () => {
  lab = ClusterLab.create(['api-a', 'api-b']);
  // One after the other: an instance that started is stopped by afterAll even if the next one fails.
  pg = await startEngine('postgres', join(dir, 'postgres'), { listen: lab.callerIp });
  redis = await startEngine('redis', join(dir, 'redis'), { listen: lab.callerIp });
}, 120_000);

afterAll(async () => {
  lab?.close();
  // By folder, whether or not start answered (the scripts stop only what they started there).
  await Promise.all([
    stopEngine('postgres', join(dir, 'postgres')).catch(() => undefined),
    stopEngine('redis', join(dir, 'redis')).catch(() => undefined),
  ]);
  rmSync(dir, { recursive: true, force: true });
});

test('each host reaches PostgreSQL and Redis on the lab address, with their passwords', async () => {
  for (const host of lab.hosts) {
    const sql = await onHost(
      host,
      `import pg from 'pg'; const c = new pg.Client(${JSON.stringify(viaLab(pg.url))}); await c.connect();` +
        ` const r = await c.query('select inet_client_addr() as a'); console.log(r.rows[0].a); await c.end();`,
    );
    expect(sql, host).toBe(lab.ip(host));
    const pong = await onHost(
      host,
      `import Redis from 'ioredis'; const r = new Redis(${JSON.stringify(viaLab(redis.url))});` +
        ` console.log(await r.ping()); r.disconnect();`,
    );
    expect(pong, host).toBe('PONG');
  }
  // Without the password the lab address refuses, as loopback does.
  const refused = await onHost(
    'api-a',
    `import pg from 'pg'; const u = new URL(${JSON.stringify(viaLab(pg.url))}); u.password = 'wrong';` +
      ` const c = new pg.Client(u.href); try { await c.connect(); console.log('in') } catch (e) { console.log(e.code) }`,
  );
  expect(refused).toBe('28P01');
});

test('hosts reach each other; a host whose switch port is down is unreachable until it comes back', async () => {
  const server = spawn('ip', [
    'netns',
    'exec',
    lab.ns('api-b'),
    process.execPath,
    '-e',
    `require('http').createServer((q, s) => s.end('b')).listen(8080, ${JSON.stringify(lab.ip('api-b'))}, () => console.log('up'))`,
  ]);
  try {
    await once(server.stdout, 'data');
    const fetchB = (timeoutMs: number) =>
      onHost(
        'api-a',
        `try { const r = await fetch('http://${lab.ip('api-b')}:8080/', { signal: AbortSignal.timeout(${timeoutMs}) });` +
          ` console.log(await r.text()) } catch (e) { console.log(e.name) }`,
      );
    expect(await fetchB(5000)).toBe('b');
    lab.setConnected('api-b', false);
    expect(await fetchB(1500)).toBe('TimeoutError');
    lab.setConnected('api-b', true);
    expect(await fetchB(5000)).toBe('b');
  } finally {
    server.kill();
  }
});

test('an engine started without --listen stays on loopback: no host reaches it', async () => {
  const loopOnly = await startEngine('redis', join(dir, 'redis-loopback'));
  try {
    const port = loopOnly.state.PORT;
    const tried = await onHost(
      'api-a',
      `import net from 'node:net'; const s = net.connect(${port}, ${JSON.stringify(lab.callerIp)});` +
        ` s.on('connect', () => { console.log('connected'); s.end() }); s.on('error', (e) => console.log(e.code));`,
    );
    expect(tried).toBe('ECONNREFUSED');
  } finally {
    await stopEngine('redis', loopOnly.dir);
  }
});
