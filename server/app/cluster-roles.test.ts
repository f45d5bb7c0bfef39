// Node roles (issue 14 §5): two API nodes that hold the browsers' sockets and the API but no rooms,
// and two media nodes that host the rooms and record them but serve no browsers — one near 慈溪
// (sites: cixi), one near 兴仁 (sites: xingren) — all on the run's Redis and one data directory.
// Participants connect to either API node; their media requests are relayed to the media node
// placed for them (the session's home, or the node listing their site, piped to the home), the
// room's notifications come back through the socket.io Redis adapter. Checked: who serves what,
// decoding across the pipe, the identity flow's recorder operations from an API node (a still of
// the applicant, an entry, a checkpoint) done by the home's recorder, a case cancelled on the other
// API node closing the rooms and sealing a recording that verifies, a relayed socket's departure
// freeing its seat, and a media node stopping mid-session: its participants rebuild elsewhere.
// Headless WebRTC participants (bench Bot on @roamhq/wrtc). Needs `source scripts/worker-env.sh`.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Bot } from '../../bench/support/Bot.js';
import {
  closeLiveRoom,
  joinLiveRoom,
  mediaNotices,
  openCaseWithGuest,
  sharedSyntheticMedia,
  stopSyntheticMedia,
  waitForRecordedSegments,
} from '../test-support/live-room.js';
import { testRedis } from '../test-support/redis.js';
import { TestServer } from '../test-support/TestServer.js';
import { sleep, until } from '../test-support/poll.js';
import type { HttpClient } from '../test-support/HttpClient.js';

const figures: string[] = [];
let api1: TestServer;
let api2: TestServer;
let zj: TestServer;
let gz: TestServer;
let gzStopped = false;
let redis: ReturnType<typeof testRedis>;
const bots: Bot[] = [];

beforeAll(async () => {
  redis = testRedis();
  api1 = await TestServer.start({ seed: true, redis, nodeRole: 'api' });
  const shared = { dataDir: api1.dataDir, redis };
  api2 = await TestServer.start({ ...shared, nodeRole: 'api' });
  const media = { segmentSeconds: 2 };
  zj = await TestServer.start({ ...shared, nodeRole: 'media', media, mediaSites: ['cixi'] });
  gz = await TestServer.start({ ...shared, nodeRole: 'media', media, mediaSites: ['xingren'] });
}, 180_000);

afterAll(async () => {
  await closeLiveRoom(bots);
  stopSyntheticMedia();
  if (!gzStopped) await gz?.stop();
  await zj?.stop();
  await api2?.stop();
  await api1?.dispose();
  process.stdout.write(
    `node roles (two API nodes, two media nodes, one Redis):\n${figures.map((f) => `  ${f}`).join('\n')}\n`,
  );
});

const nodeOf = (s: TestServer) => s.app.mediaNode!.id;
const placement = () => api1.app.services.mediaPlacement!;
const videoOf = (bot: Bot, peerId: string) => [...bot.videos.values()].find((v) => v.peerId === peerId);
const firstFrameAt = (bot: Bot, peerId: string) => videoOf(bot, peerId)?.firstFrameAt ?? undefined;

async function clerks(on: TestServer) {
  const [xingren, cixi] = await Promise.all([on.login('clerk.xingren'), on.login('clerk.cixi')]);
  return { xingren, cixi } as { xingren: HttpClient; cixi: HttpClient };
}

test('API nodes host no rooms; media nodes serve no API and no browser', async () => {
  for (const api of [api1, api2]) {
    expect(api.app.services.media).toBeUndefined();
    expect(api.app.services.recording.recorder).toBeUndefined();
    expect(api.app.mediaNode).toBeUndefined();
  }
  const live = (await placement().nodes()).map((n) => [n.id, n.sites]);
  expect(live.sort()).toEqual(
    [
      [nodeOf(zj), ['cixi']],
      [nodeOf(gz), ['xingren']],
    ].sort(),
  );
  const admin = zj.client();
  expect((await admin.get('/healthz')).status).toBe(200);
  expect((await admin.post('/api/auth/login', { username: 'clerk.cixi', password: 'tongban-demo' })).status).toBe(404);
  const login = await api1.login('clerk.cixi');
  await expect(zj.socket(login)).rejects.toThrow();
});

test('participants on both API nodes meet in a room on the media nodes; the recorder works for the API', async () => {
  const { xingren, cixi } = await clerks(api1);
  const opened = await openCaseWithGuest(api1, { xingren, cixi }, { name: '周九', idNumber: '330282199505051234' });
  const { sessionId, guestPeer } = opened;
  // The home is the node near the handling site (as the least-loaded choice could also be).
  await placement().claim(sessionId, nodeOf(zj));

  const [cixiBot] = await joinLiveRoom(api1, sessionId, [cixi]);
  bots.push(cixiBot!);
  const cixiSaw = mediaNotices(cixiBot!);
  // 兴仁's clerk comes through the other API node and is served by the node near 兴仁.
  const xingrenOn2 = await api2.login('clerk.xingren');
  const [xingrenBot] = await joinLiveRoom(api2, sessionId, [xingrenOn2]);
  bots.push(xingrenBot!);
  // The applicant's browser reaches a third API node (which will become unreachable below).
  const api3 = await TestServer.start({ dataDir: api1.dataDir, redis, nodeRole: 'api' });
  const guestOn3 = api3.client();
  guestOn3.cookie = opened.guest.cookie;
  const [guestBot] = await joinLiveRoom(api3, sessionId, [guestOn3]);
  bots.push(guestBot!);

  const home = await zj.app.services.media!.room(sessionId);
  const near = await gz.app.services.media!.room(sessionId);
  expect(zj.app.services.media!.isSatellite(home)).toBe(false);
  expect(gz.app.services.media!.isSatellite(near)).toBe(true);
  await until('three peers in both rooms', () =>
    [home, near].every((r) => r.peers().length === 3 && r.producers().length === 6),
  );
  expect(near.isRemote('user:clerk.xingren')).toBe(false);
  expect(home.isRemote('user:clerk.xingren')).toBe(true);
  expect(home.isRemote(guestPeer)).toBe(false);
  // Notifications reach the API node's sockets from the media node, through the adapter.
  expect(cixiSaw.some((n) => n.name === 'peerJoined' && n.data.id === 'user:clerk.xingren')).toBe(true);

  const xSees = await until('xingren decodes cixi', () => firstFrameAt(xingrenBot!, 'user:clerk.cixi'));
  const cSees = await until('cixi decodes xingren', () => firstFrameAt(cixiBot!, 'user:clerk.xingren'));
  figures.push(
    `join → first decoded frame: xingren (API node 2, media node near 兴仁, piped) of cixi ` +
      `${Math.round(xSees - xingrenBot!.joinStartedAt)} ms; cixi (API node 1, home) of xingren ` +
      `${Math.round(cSees - xingrenBot!.joinStartedAt)} ms after xingren began joining`,
  );
  const media = sharedSyntheticMedia()!;
  const start = { sent: media.framesSent, x: videoOf(xingrenBot!, 'user:clerk.cixi')!.frames };
  await sleep(5000);
  const sent = media.framesSent - start.sent;
  const decoded = videoOf(xingrenBot!, 'user:clerk.cixi')!.frames - start.x;
  figures.push(
    `over 5 s: ${sent} frames sent, xingren decoded ${decoded} of cixi's (${Math.round((100 * decoded) / sent)} %)`,
  );
  expect(decoded).toBeGreaterThanOrEqual(0.8 * sent);

  // The identity flow from an API node: the handling clerk's still of the applicant is taken by the
  // home's recorder and chained there; an entry and a checkpoint likewise.
  await waitForRecordedSegments(zj, sessionId, guestPeer, 1, 30_000);
  const t0 = performance.now();
  const still = await cixi.post(`/api/cases/${opened.id}/snapshots`, { kind: 'face' });
  const stillMs = performance.now() - t0;
  expect(still.status, still.text).toBe(201);
  const taken = still.json() as { chainIndex: number; chainHash: string };
  const recording = api2.app.services.recording;
  expect(await recording.isRunning(sessionId)).toBe(true);
  const entry = await recording.appendEntry(sessionId, 'user:clerk.cixi', 'note', Buffer.from('{"via":"api-2"}'));
  const checkpoint = await recording.checkpoint(sessionId, new Date().toISOString());
  expect(checkpoint.head).toBe(entry.chainHash);
  expect(checkpoint.segmentCount).toBe(entry.index + 1);
  expect(entry.index).toBeGreaterThan(taken.chainIndex);
  const links = await api1.app.services.recording.store.segments(sessionId);
  expect(links.find((l) => l.index === taken.chainIndex)?.chainHash).toBe(taken.chainHash);
  figures.push(
    `from the API nodes: a face still taken by the home's recorder in ${Math.round(stillMs)} ms (HTTP, API node 1); ` +
      `an entry chained as link #${entry.index}, the checkpoint's head is its hash (API node 2)`,
  );

  // An API node that stops answering (dead, cut off) never says its sockets are gone: the media
  // node's check finds it unreachable twice, and the seats it relayed are freed after their grace time.
  api3.app.services.nodeRpc!.close();
  const cutAt = performance.now();
  await until('the guest leaves the home room', () => !home.hasPeer(guestPeer), 40_000);
  const freedMs = performance.now() - cutAt;
  figures.push(`API node 3 unreachable: the applicant's seat freed on the media node after ${Math.round(freedMs)} ms`);
  expect(freedMs).toBeGreaterThan(10_000);
  await guestBot!.close();
  await api3.stop();

  // Cancelled on API node 2: the home room closes (told over RPC), the satellite follows, the recording is sealed and verifies.
  const xingren2 = await api2.login('clerk.xingren');
  expect((await xingren2.post(`/api/cases/${opened.id}/cancel`, { reason: '申请人撤回' })).status).toBe(200);
  await until('both rooms close', () => home.closed && near.closed, 30_000);
  const verification = await until(
    'the recording sealed',
    async () => {
      const v = await api1.app.services.recording.verify(sessionId);
      return v.status === 'sealed' ? v : undefined;
    },
    60_000,
  );
  expect(verification).toMatchObject({ valid: true, firstBadSegment: null });
  for (const id of ['user:clerk.cixi', 'user:clerk.xingren', guestPeer])
    expect(await api1.app.services.recording.recordedSegments(sessionId, id)).toBeGreaterThanOrEqual(1);
  figures.push(
    `cancelled on API node 2: rooms closed, recording sealed with ${verification.segmentCount} links, valid`,
  );
  await closeLiveRoom([cixiBot!, xingrenBot!]);
});

test('a media node stops mid-session: its participants are told to rebuild and go on on the other node', async () => {
  const { xingren, cixi } = await clerks(api2);
  const opened = await openCaseWithGuest(api2, { xingren, cixi }, { name: '吴十', idNumber: '522501199606061234' });
  const { sessionId } = opened;
  await placement().claim(sessionId, nodeOf(gz));
  const [xingrenBot] = await joinLiveRoom(api2, sessionId, [xingren]);
  const [cixiBot] = await joinLiveRoom(api1, sessionId, [await api1.login('clerk.cixi')]);
  bots.push(xingrenBot!, cixiBot!);
  await until('cixi decodes xingren', () => firstFrameAt(cixiBot!, 'user:clerk.xingren'));

  const stoppedAt = performance.now();
  await gz.stop();
  gzStopped = true;
  await until('xingren is told to rebuild', () => xingrenBot!.rebuilds > 0, 20_000);
  const toldMs = performance.now() - stoppedAt;
  const room = await until('the session placed on the other node', async () => {
    const r = await zj.app.services.media!.existingRoom(sessionId);
    return r && !r.closed && !zj.app.services.media!.isSatellite(r) ? r : undefined;
  });
  await until(
    'both back in the room',
    () => room.hasPeer('user:clerk.xingren') && room.hasPeer('user:clerk.cixi'),
    30_000,
  );
  const before = videoOf(cixiBot!, 'user:clerk.xingren')?.frames ?? 0;
  await until(
    'cixi decodes xingren again',
    () => (videoOf(cixiBot!, 'user:clerk.xingren')?.frames ?? 0) > before + 15,
    30_000,
  );
  expect(await placement().placementOf(sessionId)).toBe(nodeOf(zj));
  figures.push(
    `media node near 兴仁 stopped: told to rebuild after ${Math.round(toldMs)} ms, decoding again on the other ` +
      `node ${Math.round(performance.now() - stoppedAt)} ms after the stop`,
  );
});
