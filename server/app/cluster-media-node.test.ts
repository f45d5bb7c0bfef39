// A running app with live video and a Redis is one media node of the cluster (issue 14 §2): it
// registers with its load, a room opening on it claims the session's placement, the heartbeat
// renews it, the room's end releases it, and a clean stop leaves the cluster at once. An app whose
// Redis cannot be reached refuses to start, naming the host and port but never the password.
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RedisConnection } from '../kernel/redis.js';
import { loadConfig } from '../kernel/config.js';
import { MediaPlacement } from '../features/media/index.js';
import { testRedis, type TestRedis } from '../test-support/redis.js';
import { TestServer } from '../test-support/TestServer.js';
import { testPkiTuning } from '../test-support/pki-tuning.js';
import { createApp } from './create-app.js';

let redis: TestRedis;
let server: TestServer;
let watcher: RedisConnection;
let placement: MediaPlacement;
const figures: string[] = [];

beforeAll(async () => {
  redis = testRedis();
  server = await TestServer.start({ seed: true, media: { record: false }, redis });
  watcher = await RedisConnection.open(redis.url, redis.prefix);
  const { mediaNodeTtlMs: nodeTtlMs, mediaPlacementTtlMs: placementTtlMs } = server.app.services.config.limits;
  placement = new MediaPlacement(watcher, { nodeTtlMs, placementTtlMs });
});

afterAll(async () => {
  await watcher?.close();
  await server?.dispose();
  process.stdout.write(`media node (app with live video and Redis):\n${figures.map((f) => `  ${f}`).join('\n')}\n`);
});

test('the app registers as a media node; a room claims its placement, and releases it when it ends', async () => {
  const node = server.app.mediaNode!;
  expect(node).toBeDefined();
  expect(await placement.nodes()).toEqual([{ id: node.id, url: server.url, load: 0, sites: [] }]);

  const media = server.app.services.media!;
  const sessionId = 'cluster-node-room';
  await media.room(sessionId);
  for (let i = 0; i < 50 && (await placement.placementOf(sessionId)) !== node.id; i++)
    await new Promise((r) => setTimeout(r, 20));
  expect(await placement.placementOf(sessionId)).toBe(node.id);
  await node.beat();
  expect(await placement.nodes()).toEqual([{ id: node.id, url: server.url, load: 1, sites: [] }]);
  // A new session goes to the only live node.
  expect(await placement.place('next-session')).toBe(node.id);

  await media.endSession(sessionId);
  for (let i = 0; i < 50 && (await placement.placementOf(sessionId)) !== undefined; i++)
    await new Promise((r) => setTimeout(r, 20));
  expect(await placement.placementOf(sessionId)).toBeUndefined();
  await node.beat();
  expect((await placement.nodes())[0]).toMatchObject({ id: node.id, load: 0 });
  figures.push(`node ${node.id} at ${server.url}: registered, room placed on it, released at its end`);

  await server.stop();
  expect(await placement.nodes()).toEqual([]);
});

test('an unreachable Redis: the app refuses to start and names host and port, not the password', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'tongban-no-redis-'));
  try {
    const config = loadConfig({
      flags: {
        dataDir,
        port: 0,
        media: { enabled: false, record: false },
        redisUrl: `redis://:s3cret-pw@127.0.0.1:${port}`,
      },
    });
    const refused = await createApp({ config, pkiTuning: testPkiTuning, log: () => undefined }).then(
      () => undefined,
      (err: Error) => err.message,
    );
    expect(refused).toMatch(new RegExp(`cannot reach Redis at 127\\.0\\.0\\.1:${port}`));
    expect(refused).not.toContain('s3cret-pw');
    figures.push(`unreachable Redis: ${refused}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
