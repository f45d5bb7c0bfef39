// In a cluster the recordings table is shared (issue 14 §4): a node that starts seals as interrupted
// only the open recordings whose media node is gone — not one whose session another live node hosts
// (it is being recorded there), and one whose node is dead but still looks alive (its heartbeat not
// yet run out, as a crashed node's own predecessor right after a restart) is sealed once it has run
// out. Two nodes on one data directory and the run's Redis; the recorder without live video.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RedisConnection } from '../kernel/redis.js';
import { MediaPlacement } from '../features/media/index.js';
import { genesis } from '../features/recording/index.js';
import { testRedis, type TestRedis } from '../test-support/redis.js';
import { TestServer } from '../test-support/TestServer.js';

const nodeTtlMs = 1500;
let redis: TestRedis;
let first: TestServer;
let second: TestServer | undefined;
let watcher: RedisConnection;
let placement: MediaPlacement;
let beating: NodeJS.Timeout | undefined;

beforeAll(async () => {
  redis = testRedis();
  first = await TestServer.start({ seed: true, redis, record: true, limits: { mediaNodeTtlMs: nodeTtlMs } });
  watcher = await RedisConnection.open(redis.url, redis.prefix);
  placement = new MediaPlacement(watcher, { nodeTtlMs, placementTtlMs: 60_000 });
});

afterAll(async () => {
  clearInterval(beating);
  await watcher?.close();
  await second?.stop();
  await first?.dispose();
});

test('a starting node seals the recordings of dead nodes, at once or once they have run out, and leaves a live node’s alone', async () => {
  const store = first.app.services.recording.store;
  const open = (sessionId: string) =>
    store.create(sessionId, join(first.dataDir, 'recordings', sessionId), new Date().toISOString(), genesis(sessionId));
  const node = (id: string) => placement.heartbeat({ id, url: `https://${id}.invalid`, load: 1 });
  // A live node keeps beating; a dead one beat once (it looks alive for nodeTtlMs more).
  await node('media-live');
  beating = setInterval(() => void node('media-live'), nodeTtlMs / 3);
  await node('media-dead');
  for (const [sessionId, on] of [
    ['rec-on-live-node', 'media-live'],
    ['rec-on-dead-node', 'media-dead'],
    ['rec-placed-nowhere', undefined],
  ] as const) {
    await open(sessionId);
    if (on) await placement.claim(sessionId, on);
  }
  const status = async (sessionId: string) => (await store.get(sessionId))!.status;

  const startedAt = Date.now();
  second = await TestServer.start({
    dataDir: first.dataDir,
    redis,
    record: true,
    limits: { mediaNodeTtlMs: nodeTtlMs },
  });
  const atStart = {
    live: await status('rec-on-live-node'),
    dead: await status('rec-on-dead-node'),
    nowhere: await status('rec-placed-nowhere'),
  };
  console.log(`at the second node's start (${Date.now() - startedAt} ms): ${JSON.stringify(atStart)}`);
  expect(atStart).toEqual({ live: 'recording', dead: 'recording', nowhere: 'interrupted' });

  // The dead node's heartbeat runs out: its recording is sealed, and the sealing audited.
  const deadline = Date.now() + nodeTtlMs + 10_000;
  while ((await status('rec-on-dead-node')) === 'recording' && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  console.log(`the dead node's recording sealed ${Date.now() - startedAt} ms after the second node's start`);
  expect(await status('rec-on-dead-node')).toBe('interrupted');
  expect(await status('rec-on-live-node')).toBe('recording');
  const audited = await second.app.services.audit.list({
    action: 'recording.sealed_interrupted',
    limit: 10,
    offset: 0,
  });
  expect(audited.entries.map((e) => e.target).sort()).toEqual([
    'session:rec-on-dead-node',
    'session:rec-placed-nowhere',
  ]);
});
