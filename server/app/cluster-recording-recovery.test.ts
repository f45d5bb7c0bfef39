// In a cluster the recordings table is shared (issue 14 §4): a node that starts seals as interrupted
// only the open recordings whose media node is gone — not one whose session another live node hosts
// (it is being recorded there), and one whose node is dead but still looks alive (its heartbeat not
// yet run out, as a crashed node's own predecessor right after a restart) is sealed once it has run
// out. Two nodes starting at once with the same orphans seal each once (one manifest, one audit
// entry); a deferred seal that fails is reported (a warning and an audit entry) and tried again.
// Nodes on one data directory and the run's Redis; the recorder without live video.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const racers: TestServer[] = [];
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
  for (const r of racers) await r.stop();
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

const sealedAudits = async (prefix: string) =>
  (await first.app.services.audit.list({ action: 'recording.sealed_interrupted', limit: 100, offset: 0 })).entries
    .map((e) => e.target ?? '')
    .filter((t) => t.startsWith(`session:${prefix}`))
    .sort();
const openRecording = (sessionId: string) =>
  first.app.services.recording.store.create(
    sessionId,
    join(first.dataDir, 'recordings', sessionId),
    new Date().toISOString(),
    genesis(sessionId),
  );
const statusOf = async (sessionId: string) => (await first.app.services.recording.store.get(sessionId))!.status;
async function waitSealed(sessionIds: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await Promise.all(sessionIds.map(statusOf))).every((s) => s !== 'recording')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('two nodes starting at once with the same orphans: each is sealed once, by one of them', async () => {
  const orphans = ['race-nowhere-1', 'race-nowhere-2', 'race-dead-1', 'race-dead-2'];
  await placement.heartbeat({ id: 'media-dead-race', url: 'https://media-dead-race.invalid', load: 2 });
  for (const sessionId of orphans) {
    await openRecording(sessionId);
    if (sessionId.startsWith('race-dead')) await placement.claim(sessionId, 'media-dead-race');
  }
  const t0 = Date.now();
  racers.push(
    ...(await Promise.all(
      [0, 1].map(() =>
        TestServer.start({ dataDir: first.dataDir, redis, record: true, limits: { mediaNodeTtlMs: nodeTtlMs } }),
      ),
    )),
  );
  await waitSealed(orphans, nodeTtlMs + 10_000);
  console.log(`race: the four orphans sealed ${Date.now() - t0} ms after two nodes started at once`);
  expect(await sealedAudits('race-')).toEqual(orphans.map((o) => `session:${o}`).sort());
  for (const sessionId of orphans) {
    const row = (await first.app.services.recording.store.get(sessionId))!;
    expect(row.status, sessionId).toBe('interrupted');
    // The manifest on disk is the one the row names (a second sealer would have replaced one of them).
    const manifest = readFileSync(join(first.dataDir, 'recordings', sessionId, 'manifest.json'));
    expect(createHash('sha256').update(manifest).digest('hex'), sessionId).toBe(row.manifestSha256);
  }
});

test('a deferred seal that fails is reported and tried again; it succeeds once the cause is gone', async () => {
  const sessionId = 'deferred-blocked';
  await openRecording(sessionId);
  await placement.heartbeat({ id: 'media-dead-blocked', url: 'https://media-dead-blocked.invalid', load: 1 });
  await placement.claim(sessionId, 'media-dead-blocked');
  // The recording's folder cannot be made: a file stands where it goes (a full or broken disk would do the same).
  const dir = join(first.dataDir, 'recordings', sessionId);
  rmSync(dir, { recursive: true, force: true });
  writeFileSync(dir, 'not a folder');
  const node = await TestServer.start({
    dataDir: first.dataDir,
    redis,
    record: true,
    limits: { mediaNodeTtlMs: nodeTtlMs },
  });
  racers.push(node);
  const failures = async () =>
    (await node.app.services.audit.list({ action: 'recording.seal_failed', limit: 10, offset: 0 })).entries.filter(
      (e) => e.target === `session:${sessionId}`,
    );
  const deadline = Date.now() + nodeTtlMs + 10_000;
  while ((await failures()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const [failure] = await failures();
  console.log(`deferred seal failed: ${JSON.stringify(failure?.details)}`);
  expect(failure?.details).toMatchObject({ retry: true });
  expect(String((failure?.details as { reason?: string }).reason)).toMatch(/EEXIST|ENOTDIR|not a directory|exists/i);
  expect(await statusOf(sessionId)).toBe('recording');

  rmSync(dir, { force: true });
  mkdirSync(dir);
  await waitSealed([sessionId], nodeTtlMs + 10_000);
  expect(await statusOf(sessionId)).toBe('interrupted');
  expect(await sealedAudits(sessionId)).toEqual([`session:${sessionId}`]);
});
