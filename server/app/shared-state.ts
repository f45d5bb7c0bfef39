// What the nodes of a cluster share (issue 14 §2), chosen by the Config: with redisUrl, a Redis
// connection that carries socket.io messages between nodes, login sessions, rate limits and media
// room placement; without it, the embedded default (SQLite tables, one process's socket.io).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-adapter';
import type { ServerOptions } from 'socket.io';
import type { Clock } from '../kernel/clock.js';
import type { Config } from '../kernel/config.js';
import { RedisConnection } from '../kernel/redis.js';
import type { Database } from '../kernel/store/Database.js';
import { embeddedAuthState, redisAuthState, type AuthState } from '../features/auth/index.js';
import { MediaPlacement } from '../features/media/index.js';

export interface SharedState {
  /** The cluster's Redis; absent on a single node. */
  readonly redis: RedisConnection | undefined;
  readonly auth: AuthState;
  /** Which media node hosts which session (cluster only). */
  readonly placement: MediaPlacement | undefined;
}

export const DEFAULT_REDIS_PREFIX = 'tongban:';

export async function openSharedState(config: Config, db: Database, clock: Clock): Promise<SharedState> {
  if (!config.redisUrl) return { redis: undefined, auth: embeddedAuthState(db, clock), placement: undefined };
  const redis = await RedisConnection.open(config.redisUrl, config.redisPrefix ?? DEFAULT_REDIS_PREFIX);
  try {
    const { mediaNodeTtlMs: nodeTtlMs, mediaPlacementTtlMs: placementTtlMs } = config.limits;
    return {
      redis,
      auth: await redisAuthState(redis, clock),
      placement: new MediaPlacement(redis, { nodeTtlMs, placementTtlMs }),
    };
  } catch (err) {
    await redis.close();
    throw err;
  }
}

/** The socket.io adapter that hands broadcasts (rooms included) to every node; the in-memory one without Redis. */
export function socketAdapter(redis: RedisConnection | undefined): ServerOptions['adapter'] | undefined {
  if (!redis) return undefined;
  const [pub, sub] = redis.pair();
  return createAdapter(pub, sub, { key: redis.key('socket.io') }) as ServerOptions['adapter'];
}

/** This process's name among the media nodes: host, pid and a random part (several apps may share a process in tests). */
export const mediaNodeId = () => `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
