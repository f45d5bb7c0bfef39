// The run's private Redis (vitest.redis-setup.ts starts it with scripts/engines/redis.sh) for the
// cluster tests: each caller gets its own key prefix, so test files running side by side share the
// instance without seeing each other's logins, counters or media nodes.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export interface TestRedis {
  readonly url: string;
  readonly prefix: string;
}

export function testRedis(): TestRedis {
  const url = inject('redisUrl');
  if (!url) throw new Error('no Redis for this run: vitest.redis-setup.ts did not provide redisUrl');
  return { url, prefix: `test-${randomBytes(4).toString('hex')}:` };
}
