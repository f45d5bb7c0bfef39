// Ended login sessions and run-out rate-limit windows are deleted; live ones stay and still work.
// A real database (SQLite; PostgreSQL in `npm run test:postgres`), real services, a clock the test moves.
import { describe, expect, it } from 'vitest';
import { UserService } from './UserService.js';
import type { Database } from '../../kernel/store/Database.js';
import { TEST_BACKEND, testDatabase } from '../../test-support/databases.js';
import { AuthPurger } from './AuthPurger.js';
import { LoginSessions } from './LoginSessions.js';
import { RateLimiter } from './RateLimiter.js';
import { embeddedAuthState } from './auth-state.js';

const count = async (db: Database, table: string) =>
  (await db.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n;

describe('AuthPurger', () => {
  it('deletes expired and revoked sessions and run-out windows, and keeps what is live', async () => {
    const t = await testDatabase(TEST_BACKEND);
    const db = t.db;
    let now = new Date('2026-11-27T08:00:00Z');
    const clock = () => now;
    const users = new UserService(db, clock);
    await users.create({
      id: 'auditor',
      username: 'auditor',
      displayName: '周敏',
      role: 'auditor',
      siteId: null,
      password: 'correct horse battery',
    });
    const state = embeddedAuthState(db, clock);
    const sessions = new LoginSessions({ store: state.logins, clock, users, ttlMs: 60 * 60_000 });
    const limiter = (bucket: string, windowMs: number) =>
      new RateLimiter({ counter: state.counter(bucket, windowMs), limit: 5, windowMs });
    const login = limiter('login', 15 * 60_000);
    const pin = limiter('pin', 60 * 60_000);
    const purger = new AuthPurger({ sessions, limiters: [login, pin] });

    const early = await sessions.start({ kind: 'user', userId: 'auditor' });
    const signedOut = await sessions.start({ kind: 'user', userId: 'auditor' });
    await sessions.revoke(signedOut);
    await login.consume('203.0.113.7');
    await pin.consume('clerk.cixi');
    now = new Date(now.getTime() + 30 * 60_000);
    const late = await sessions.start({ kind: 'user', userId: 'auditor' });
    await login.consume('198.51.100.9');

    // 30 min on: nothing has expired yet, but the signed-out session and the first login window are over.
    expect(await purger.purge()).toEqual({ sessions: 1, rateLimitWindows: 1 });
    expect(await sessions.resolve(early)).toMatchObject({ kind: 'user' });
    expect(await count(db, 'login_sessions')).toBe(2);

    now = new Date(now.getTime() + 45 * 60_000);
    // 75 min: the first session has expired, the later one has 15 min left; the pin window is over.
    expect(await purger.purge()).toEqual({ sessions: 1, rateLimitWindows: 2 });
    expect(await sessions.resolve(early)).toBeUndefined();
    expect(await sessions.resolve(late)).toMatchObject({ kind: 'user' });
    expect(await count(db, 'login_sessions')).toBe(1);
    expect(await count(db, 'rate_limits')).toBe(0);
    expect(await purger.purge()).toEqual({ sessions: 0, rateLimitWindows: 0 });
    await t.drop();
  });
});
