// API latency under a bounded local load (autocannon, loopback, HTTPS): GET /api/cases (session
// cookie, 60 cases in the list) and POST /api/auth/login (scrypt password check, audit append,
// session insert) against GET /healthz (the cheapest route through the same stack) as the peer.
// Each target runs for a fixed time with a fixed number of connections and a request cap.
import autocannon from 'autocannon';
import { Harness } from './support/harness.js';
import { row, type BenchRow } from './support/results.js';
import { tempDir } from './support/temp.js';
import { DEMO_PASSWORD } from '../server/demo/demo-data.js';
import { SESSION_COOKIE } from '../server/features/auth/index.js';

interface Target {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly rps: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

function load(
  url: string,
  t: Target,
  o: { seconds: number; connections: number; maxRequests: number },
): Promise<Latency> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}${t.path}`,
        method: t.method,
        headers: t.headers,
        body: t.body,
        connections: o.connections,
        duration: o.seconds,
        maxOverallRequests: o.maxRequests,
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({
          p50: r.latency.p50,
          p99: r.latency.p99,
          mean: r.latency.average,
          rps: r.requests.average,
          requests: r.requests.total,
          non2xx: r.non2xx,
          errors: r.errors,
        });
      },
    );
  });
}

export async function benchApi(o: {
  seconds: number;
  connections: number;
  maxRequests: number;
}): Promise<{ rows: BenchRow[]; raw: unknown }> {
  const dir = tempDir('bench-api-');
  // Successful logins do not count against the limiter, but keep it out of the way explicitly.
  const h = await Harness.start({
    dataDir: dir.path,
    record: false,
    env: { TONGBAN_LIMIT_LOGIN_ATTEMPTS_PER_WINDOW: '1000000' },
  });
  try {
    await h.request('cases', { count: 60 });
    const { token } = (await h.request('loginToken', { userId: 'clerk.cixi' })) as { token: string };
    const targets: Target[] = [
      { name: 'GET /healthz', method: 'GET', path: '/healthz' },
      { name: 'GET /api/cases', method: 'GET', path: '/api/cases', headers: { cookie: `${SESSION_COOKIE}=${token}` } },
      {
        name: 'POST /api/auth/login',
        method: 'POST',
        path: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'clerk.cixi', password: DEMO_PASSWORD }),
      },
    ];
    const results: Record<string, Latency> = {};
    for (const t of targets) results[t.name] = await load(h.url, t, o);
    const peer = results['GET /healthz']!;
    const rows = targets.slice(1).flatMap((t) => {
      const r = results[t.name]!;
      const note = `${r.requests} requests, ${r.rps.toFixed(0)} req/s, ${o.connections} connections, non-2xx ${r.non2xx}, errors ${r.errors}`;
      return [
        row('API latency', `${t.name} p50`, r.p50, 'ms', {
          peer: { name: 'GET /healthz p50 (same run)', value: peer.p50, measured: true },
          note,
        }),
        row('API latency', `${t.name} p99`, r.p99, 'ms', {
          peer: { name: 'GET /healthz p99 (same run)', value: peer.p99, measured: true },
        }),
        row('API latency', `${t.name} mean`, r.mean, 'ms', {
          peer: { name: 'GET /healthz mean (same run)', value: peer.mean, measured: true },
        }),
      ];
    });
    rows.unshift(
      row('API latency', 'GET /healthz p50 (peer)', peer.p50, 'ms', {
        note: `p99 ${peer.p99} ms, mean ${peer.mean} ms, ${peer.rps.toFixed(0)} req/s, non-2xx ${peer.non2xx}; autocannon gives p50/p99 in whole ms`,
      }),
    );
    return { rows, raw: results };
  } finally {
    await h.stop();
    dir.remove();
  }
}
