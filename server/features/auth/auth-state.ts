// Where the auth feature keeps what every node must agree on: login sessions, rate-limit counts,
// accounts' failed logins. Embedded (no Redis): today's SQLite tables, purged at intervals. Cluster
// (config redisUrl): Redis, with the same expiry the purge applies (a window's end, a login's end).
import type { Clock } from '../../kernel/clock.js';
import type { RedisConnection } from '../../kernel/redis.js';
import type { Database } from '../../kernel/store/Database.js';
import { RedisRecords, SqliteRecords, type AtomicRecords } from './AtomicRecords.js';
import { RedisAttemptCounter, SqliteAttemptCounter, type AttemptCounter } from './AttemptCounter.js';
import type { ThrottleRow } from './LoginGuard.js';
import { RedisLoginStore, SqliteLoginStore, type LoginStore } from './LoginStore.js';

export interface AuthState {
  readonly logins: LoginStore;
  /** A rate limiter's attempt counts in windows of `windowMs`, under its bucket name. */
  counter(bucket: string, windowMs: number): AttemptCounter;
  /** Accounts' failed logins, forgotten `windowMs` after the last one (unless locked longer). */
  throttles(windowMs: number): AtomicRecords<ThrottleRow>;
}

export function embeddedAuthState(db: Database, clock: Clock): AuthState {
  const now = () => clock().getTime();
  return {
    logins: new SqliteLoginStore(db, clock),
    counter: (bucket, windowMs) => new SqliteAttemptCounter({ db, clock, bucket, windowMs }),
    throttles: (windowMs) =>
      new SqliteRecords<ThrottleRow>(db, {
        table: 'login_account_throttle',
        keyColumn: 'account',
        columns: ['failures', 'last_failure_ms', 'locked_until_ms'],
        expired: () => ({
          where: 'last_failure_ms <= ? AND (locked_until_ms IS NULL OR locked_until_ms <= ?)',
          values: [now() - windowMs, now()],
        }),
      }),
  };
}

export async function redisAuthState(redis: RedisConnection, clock: Clock): Promise<AuthState> {
  return {
    logins: await RedisLoginStore.open(redis, clock),
    counter: (bucket, windowMs) => new RedisAttemptCounter(redis, bucket, windowMs),
    throttles: () => new RedisRecords<ThrottleRow>(redis, 'login-throttle'),
  };
}
