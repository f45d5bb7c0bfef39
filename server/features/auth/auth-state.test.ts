// The two stores of the auth feature's shared state behave alike (one suite run against both): the
// embedded one on a real SQLite file (PostgreSQL in the PostgreSQL run), the cluster one on the run's real Redis. Counters stay exact
// under concurrent attempts from two connections (two nodes), logins end per token, per user and per
// video session, and every store announces revocations to its listeners.
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, test } from 'vitest';
import { RedisConnection } from '../../kernel/redis.js';
import { TEST_BACKEND, testDatabase, type TestDatabase } from '../../test-support/databases.js';
import { testRedis } from '../../test-support/redis.js';
import { embeddedAuthState, redisAuthState, type AuthState } from './auth-state.js';
import type { LoginRecord, LoginRevocation } from './LoginStore.js';
import { RateLimiter } from './RateLimiter.js';
import { UserService } from './UserService.js';

const closers: (() => unknown)[] = [];
const figures: string[] = [];
let now = new Date('2026-11-30T08:00:00Z');
const clock = () => now;

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  process.stdout.write(`auth state, both stores:\n${figures.map((f) => `  ${f}`).join('\n')}\n`);
});

/** The embedded store's database (the run's back-end), made at the first use; dropped at the end. */
let embedded: TestDatabase | undefined;

/** Two handles on one store, as two nodes hold them. */
async function twoNodes(kind: 'embedded' | 'redis'): Promise<[AuthState, AuthState]> {
  if (kind === 'embedded') {
    if (!embedded) {
      embedded = await testDatabase(TEST_BACKEND);
      closers.push(() => embedded?.drop());
    }
    const [a, b] = [await embedded.open(), await embedded.open()];
    // Logins name users (a foreign key in SQLite): the store test's users exist.
    const users = new UserService(a, clock);
    for (const id of ['u1', 'u2'])
      if (!(await users.find(id)))
        await users.create({
          id,
          username: id,
          displayName: id,
          role: 'auditor',
          siteId: null,
          password: 'long enough pw',
        });
    return [embeddedAuthState(a, clock), embeddedAuthState(b, clock)];
  }
  const { url, prefix } = testRedis();
  const [a, b] = await Promise.all([RedisConnection.open(url, prefix), RedisConnection.open(url, prefix)]);
  closers.push(
    () => a.close(),
    () => b.close(),
  );
  return Promise.all([redisAuthState(a, clock), redisAuthState(b, clock)]);
}

const login = (over: Partial<LoginRecord> = {}): LoginRecord => ({
  kind: 'user',
  userId: 'u1',
  sessionId: null,
  guestId: null,
  caseId: null,
  displayName: null,
  createdAt: now.toISOString(),
  expiresAt: new Date(now.getTime() + 3600_000).toISOString(),
  ...over,
});

/** Waits until `got` holds `n` revocations (Redis delivers them through pub/sub). */
async function received(got: LoginRevocation[], n: number): Promise<void> {
  for (let i = 0; i < 100 && got.length < n; i++) await new Promise((r) => setTimeout(r, 20));
}

describe.each(['embedded', 'redis'] as const)('%s store', (kind) => {
  test('rate-limit counts: every attempt of two nodes counted exactly; reset; a run-out window starts afresh', async () => {
    const [a, b] = await twoNodes(kind);
    const limiter = (s: AuthState, bucket: string, windowMs: number) =>
      new RateLimiter({ counter: s.counter(bucket, windowMs), limit: 150, windowMs });
    const [onA, onB] = [limiter(a, 'contract', 60_000), limiter(b, 'contract', 60_000)];
    const t0 = performance.now();
    const counts = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? onA : onB).record('k')));
    const ms = performance.now() - t0;
    // Every attempt got its own count: 1..200, none lost to a race.
    expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await onB.exhausted('k')).toBe(true);
    await expect(onA.consume('k')).rejects.toMatchObject({ code: 'rate_limited', status: 429 });
    await onB.reset('k');
    expect(await onA.exhausted('k')).toBe(false);
    // A window that ran out starts afresh (embedded: by the app's clock; Redis: the key's expiry).
    const [shortA, shortB] = [limiter(a, 'short', 300), limiter(b, 'short', 300)];
    await shortA.record('k');
    expect(await shortB.record('k')).toBe(2);
    now = new Date(now.getTime() + 400);
    await new Promise((r) => setTimeout(r, 400));
    expect(await shortB.record('k')).toBe(1);
    figures.push(`${kind}: 200 concurrent attempts from two nodes counted 1..200 in ${ms.toFixed(0)} ms`);
  });

  test('account throttle records: concurrent read-change-write steps of two nodes all land', async () => {
    const [a, b] = await twoNodes(kind);
    const [onA, onB] = [a.throttles(60_000), b.throttles(60_000)];
    const step = (records: typeof onA) =>
      records.update('acct', (row) => {
        const failures = (row?.failures ?? 0) + 1;
        return {
          next: { failures, last_failure_ms: failures, locked_until_ms: null },
          ttlMs: 60_000,
          result: failures,
        };
      });
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => step(i % 2 ? onA : onB)));
    const ms = performance.now() - t0;
    expect([...results].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await onB.get('acct')).toMatchObject({ failures: 40 });
    await onA.delete('acct');
    expect(await onB.get('acct')).toBeUndefined();
    figures.push(`${kind}: 40 concurrent account-throttle steps from two nodes, none lost, in ${ms.toFixed(0)} ms`);
  });

  test('logins: visible to both nodes, ended per token, per user and per video session, revocations announced', async () => {
    const [a, b] = await twoNodes(kind);
    const heardOnA: LoginRevocation[] = [];
    const off = a.logins.onRevoke((w) => heardOnA.push(w));
    await a.logins.insert(`${kind}-t1`, login());
    await a.logins.insert(`${kind}-t2`, login());
    await a.logins.insert(`${kind}-t3`, login({ userId: 'u2' }));
    expect(await b.logins.get(`${kind}-t1`)).toEqual(login());

    await b.logins.revoke(`${kind}-t1`);
    await b.logins.announce({ tokenHash: `${kind}-t1` });
    expect(await a.logins.get(`${kind}-t1`)).toBeUndefined();
    await b.logins.revokeUser('u1');
    await b.logins.announce({ userId: 'u1' });
    expect(await a.logins.get(`${kind}-t2`)).toBeUndefined();
    expect(await a.logins.get(`${kind}-t3`)).toBeDefined();
    // Each store tells the listeners of every node sharing it (embedded: one process, its own).
    if (kind === 'redis') {
      await received(heardOnA, 2);
      expect(heardOnA).toEqual([{ tokenHash: `${kind}-t1` }, { userId: 'u1' }]);
    } else {
      await a.logins.announce({ userId: 'u1' });
      expect(heardOnA).toEqual([{ userId: 'u1' }]);
    }
    off();
  });
});

describe('redis store only', () => {
  test('guest logins end with their video session, and a login expires when it should', async () => {
    const [a, b] = await twoNodes('redis');
    const guest = (sessionId: string) =>
      login({ kind: 'guest', userId: null, guestId: 'g1', sessionId, displayName: '申请人' });
    await a.logins.insert('g-1', guest('S1'));
    await a.logins.insert('g-2', guest('S1'));
    await a.logins.insert('g-3', guest('S2'));
    await b.logins.revoke('g-2');
    expect((await b.logins.revokeGuestsOf('S1')).sort()).toEqual(['g-1']);
    expect(await a.logins.get('g-1')).toBeUndefined();
    expect(await a.logins.get('g-3')).toBeDefined();
    await a.logins.insert('short', login({ expiresAt: new Date(now.getTime() + 300).toISOString() }));
    expect(await b.logins.get('short')).toBeDefined();
    await new Promise((r) => setTimeout(r, 500));
    expect(await b.logins.get('short')).toBeUndefined();
  });
});
