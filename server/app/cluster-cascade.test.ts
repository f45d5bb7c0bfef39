// Media cascading (issue 14 §4) between two real app nodes sharing the run's Redis and one data
// directory, each with its own mediasoup worker: a session placed on node A (its home room, its
// recorder), two participants connected to A and one to B. B serves its participant in a satellite
// room piped to A's room (a PipeTransport pair with SRTP, set up over node-to-node requests in
// Redis). Checked: they decode each other's video and audio through the pipe (decoded frames against
// frames sent), see each other join and leave with the usual socket events, the home's recording
// holds every participant and verifies once the session ends on B (the end is carried to the home);
// join → first decoded frame through the pipe is measured beside the same figure in the local room
// (and consume → first frame, the keyframe request's way to the sender). Then a second session homed
// on B loses B (stopped mid-session): its participant on A is told to rebuild, the session is placed
// on A, the participant is back in a room there and the recording B began goes on on A. Headless
// WebRTC participants (bench Bot on @roamhq/wrtc).
// Needs the mediasoup worker: `source scripts/worker-env.sh`.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Bot } from '../../bench/support/Bot.js';
import { isMediaSegment } from '../features/recording/index.js';
import { buildTimeline } from '../features/records/index.js';
import type { HttpClient } from '../test-support/HttpClient.js';
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

const figures: string[] = [];
let a: TestServer;
let b: TestServer;
let bStopped = false;
const bots: Bot[] = [];

beforeAll(async () => {
  const redis = testRedis();
  a = await TestServer.start({ seed: true, redis, media: { segmentSeconds: 2 } });
  b = await TestServer.start({ dataDir: a.dataDir, redis, media: { segmentSeconds: 2 } });
}, 120_000);

afterAll(async () => {
  await closeLiveRoom(bots);
  stopSyntheticMedia();
  if (!bStopped) await b?.stop();
  await a?.dispose();
  process.stdout.write(`media cascade (two nodes, one Redis):\n${figures.map((f) => `  ${f}`).join('\n')}\n`);
});

const nodeOf = (s: TestServer) => s.app.mediaNode!.id;
const placement = () => a.app.services.mediaPlacement!;
const firstFrameMs = (bot: Bot, peerId: string) => {
  const v = [...bot.videos.values()].find((x) => x.peerId === peerId);
  return v?.firstFrameAt == null ? undefined : v.firstFrameAt - bot.joinStartedAt;
};

/** A case opened on `home` whose session is placed there (as the placement would on the least-loaded node). */
async function sessionHomedOn(home: TestServer, applicant: { name: string; idNumber: string }) {
  const [xingren, cixi] = (await Promise.all([home.login('clerk.xingren'), home.login('clerk.cixi')])) as HttpClient[];
  const opened = await openCaseWithGuest(home, { xingren: xingren!, cixi: cixi! }, applicant);
  await placement().claim(opened.sessionId, nodeOf(home));
  return { ...opened, xingren: xingren!, cixi: cixi! };
}

test('participants on two nodes see, hear and record each other through the pipe', async () => {
  const opened = await sessionHomedOn(a, { name: '钱七', idNumber: '522501199303031234' });
  const { sessionId, guestPeer, xingren, cixi } = opened;

  const [cixiBot] = await joinLiveRoom(a, sessionId, [cixi]);
  bots.push(cixiBot!);
  const cixiSaw = mediaNotices(cixiBot!);
  const [xingrenBot] = await joinLiveRoom(a, sessionId, [xingren]);
  bots.push(xingrenBot!);
  // The guest's login is in Redis: its cookie is good on B, where it connects.
  const [guestBot] = await joinLiveRoom(b, sessionId, [opened.guest]);
  bots.push(guestBot!);
  const guestSaw = mediaNotices(guestBot!);

  const homeRoom = await a.app.services.media!.room(sessionId);
  const satellite = await b.app.services.media!.room(sessionId);
  expect(a.app.services.media!.isSatellite(homeRoom)).toBe(false);
  expect(b.app.services.media!.isSatellite(satellite)).toBe(true);
  expect(b.app.cascade!.links()).toEqual([
    expect.objectContaining({ sessionId, role: 'satellite', remote: nodeOf(a) }),
  ]);
  expect(a.app.cascade!.links()).toEqual([expect.objectContaining({ sessionId, role: 'home', remote: nodeOf(b) })]);
  expect(await placement().placementOf(sessionId)).toBe(nodeOf(a));

  // Everyone in both rooms, the remote ones marked as such; the guest's producers piped into A.
  const ids = ['user:clerk.cixi', 'user:clerk.xingren', guestPeer].sort();
  await until('three peers in each room', () =>
    [homeRoom, satellite].every((r) => r.peers().length === 3 && r.producers().length === 6),
  );
  expect(
    homeRoom
      .peers()
      .map((p) => p.id)
      .sort(),
  ).toEqual(ids);
  expect(
    satellite
      .peers()
      .map((p) => p.id)
      .sort(),
  ).toEqual(ids);
  expect(homeRoom.isRemote(guestPeer)).toBe(true);
  expect(satellite.isRemote('user:clerk.cixi')).toBe(true);
  expect(satellite.isRemote(guestPeer)).toBe(false);
  expect(cixiSaw.some((n) => n.name === 'peerJoined' && n.data.id === guestPeer)).toBe(true);

  // First decoded frame after joining: the guest (on B) of cixi's camera (on A) through the pipe,
  // xingren (on A) of cixi's camera in the local room; and cixi of the guest's, piped the other way.
  const piped = await until('the guest decodes cixi', () => firstFrameMs(guestBot!, 'user:clerk.cixi'));
  const local = await until('xingren decodes cixi', () => firstFrameMs(xingrenBot!, 'user:clerk.cixi'));
  const back = await until(
    'cixi decodes the guest',
    () =>
      cixiBot!.videos.get([...homeRoom.producers()].find((p) => p.peerId === guestPeer && p.kind === 'video')!.id)
        ?.firstFrameAt ?? undefined,
  );
  figures.push(
    `join → first decoded frame: through the pipe ${Math.round(piped)} ms (guest on B, camera on A), ` +
      `local room ${Math.round(local)} ms (xingren on A, camera on A); cixi's first frame of the piped-in guest ` +
      `${Math.round(back - guestBot!.joinStartedAt)} ms after the guest began joining`,
  );
  // From consuming to the first decoded frame is the keyframe request's round trip: the synthetic
  // camera sends no periodic keyframes, so a picture this soon means the request reached the
  // real sender on A through the pipe.
  const keyframe = (bot: Bot) => {
    const v = [...bot.videos.values()].find((x) => x.peerId === 'user:clerk.cixi')!;
    return v.firstFrameAt! - v.consumedAt;
  };
  figures.push(
    `consume → first decoded frame (keyframe request to the sender): through the pipe ` +
      `${Math.round(keyframe(guestBot!))} ms, local ${Math.round(keyframe(xingrenBot!))} ms`,
  );
  expect(keyframe(guestBot!)).toBeLessThan(2000);

  // Several seconds of flow: frames decoded per remote against frames the source sent, audio packets received.
  const media = sharedSyntheticMedia()!;
  const guestVideo = () =>
    guestBot!.videos.get(homeRoom.producers().find((p) => p.peerId === 'user:clerk.cixi' && p.kind === 'video')!.id)!;
  const cixiVideo = () =>
    cixiBot!.videos.get(homeRoom.producers().find((p) => p.peerId === guestPeer && p.kind === 'video')!.id)!;
  const start = {
    sent: media.framesSent,
    guest: guestVideo().frames,
    cixi: cixiVideo().frames,
    guestAudio: await guestBot!.audioPacketsReceived(),
    cixiAudio: await cixiBot!.audioPacketsReceived(),
  };
  const windowMs = 5000;
  await sleep(windowMs);
  const sent = media.framesSent - start.sent;
  const onB = guestVideo().frames - start.guest;
  const onA = cixiVideo().frames - start.cixi;
  const audioB = (await guestBot!.audioPacketsReceived()) - start.guestAudio;
  const audioA = (await cixiBot!.audioPacketsReceived()) - start.cixiAudio;
  figures.push(
    `over ${windowMs / 1000} s the source sent ${sent} frames; decoded through the pipe: guest on B of cixi ` +
      `${onB} (${Math.round((100 * onB) / sent)} %), cixi on A of the guest ${onA} (${Math.round((100 * onA) / sent)} %); ` +
      `audio packets received: guest ${audioB} (two remotes), cixi ${audioA} (two remotes)`,
  );
  expect(onB).toBeGreaterThanOrEqual(0.8 * sent);
  expect(onA).toBeGreaterThanOrEqual(0.8 * sent);
  // Opus sends 50 packets a second per remote.
  expect(audioB).toBeGreaterThanOrEqual(0.8 * 2 * 50 * (windowMs / 1000));
  expect(audioA).toBeGreaterThanOrEqual(0.8 * 2 * 50 * (windowMs / 1000));

  // The recorder on A records the piped-in guest like its local participants.
  await waitForRecordedSegments(a, sessionId, guestPeer, 2, 30_000);
  await waitForRecordedSegments(a, sessionId, 'user:clerk.cixi', 2, 30_000);

  // Muting follows the pipe: the guest's microphone paused on B is paused in A's room, A's clients told.
  const guestMic = satellite.producers().find((p) => p.peerId === guestPeer && p.kind === 'audio')!;
  await satellite.setProducerPaused(guestPeer, guestMic.id, true);
  await until('the guest muted on A', () => homeRoom.peer(guestPeer).audioMuted);
  await until('cixi told of the mute', () =>
    cixiSaw.some((n) => n.name === 'producerPaused' && n.data.id === guestMic.id && n.data.paused),
  );
  await satellite.setProducerPaused(guestPeer, guestMic.id, false);
  await until('the guest unmuted on A', () => !homeRoom.peer(guestPeer).audioMuted);

  // Leaving is seen across the pipe: xingren leaves on A, the guest on B is told.
  await xingrenBot!.close();
  await until('the guest sees xingren leave', () =>
    guestSaw.some((n) => n.name === 'peerLeft' && n.data.peerId === 'user:clerk.xingren'),
  );
  expect(satellite.hasPeer('user:clerk.xingren')).toBe(false);

  // The session ends where B learns of it: B's satellite closes and tells A, whose room closes and
  // whose recorder seals the recording (B seals nothing); it verifies.
  await b.app.services.media!.endSession(sessionId);
  await until('the home room closes', () => homeRoom.closed && a.app.cascade!.links().length === 0);
  await until(
    'the recording sealed on A',
    async () => (await a.app.services.recording.verify(sessionId)).status === 'sealed',
  );
  const verification = await a.app.services.recording.verify(sessionId);
  expect(verification).toMatchObject({ valid: true, firstBadSegment: null, status: 'sealed' });
  const recorded = await Promise.all(
    ids.map(async (id) => `${id} ${await a.app.services.recording.recordedSegments(sessionId, id)}`),
  );
  for (const id of [guestPeer, 'user:clerk.cixi'])
    expect(await a.app.services.recording.recordedSegments(sessionId, id)).toBeGreaterThanOrEqual(2);
  figures.push(
    `recording on A: ${verification.segmentCount} segments (per participant: ${recorded.join(', ')}), ` +
      `status ${verification.status}, valid ${verification.valid}`,
  );
  await until('the satellite closes', () => satellite.closed && b.app.cascade!.links().length === 0);
  await closeLiveRoom([cixiBot!, guestBot!]);
});

test('the home node stops mid-session: the participant on the other node rebuilds, the session moves there', async () => {
  const opened = await sessionHomedOn(b, { name: '孙八', idNumber: '522501199404041234' });
  const { sessionId, guestPeer, cixi } = opened;
  const [cixiBot] = await joinLiveRoom(b, sessionId, [cixi]);
  bots.push(cixiBot!);
  // The guest connects to A: a satellite of B's room.
  const [guestBot] = await joinLiveRoom(a, sessionId, [opened.guest]);
  bots.push(guestBot!);
  const before = await a.app.services.media!.room(sessionId);
  expect(a.app.services.media!.isSatellite(before)).toBe(true);
  await until('the guest decodes cixi through the pipe', () => firstFrameMs(guestBot!, 'user:clerk.cixi'));
  // B, the home, records the piped-in guest.
  await waitForRecordedSegments(b, sessionId, guestPeer, 1, 30_000);

  const bNode = nodeOf(b);
  const stoppedAt = performance.now();
  await b.stop();
  bStopped = true;
  await until('the guest is told to rebuild', () => guestBot!.rebuilds > 0, 15_000);
  const rebuiltAt = performance.now();
  const after = await until('a home room for the session on A', async () => {
    const room = await a.app.services.media!.existingRoom(sessionId);
    return room && !room.closed && room !== before && !a.app.services.media!.isSatellite(room) ? room : undefined;
  });
  expect(await placement().placementOf(sessionId)).toBe(nodeOf(a));
  expect(nodeOf(a)).not.toBe(bNode);
  await until('the guest is back in the room on A', () => after.hasPeer(guestPeer) && after.producers().length === 2);
  expect(a.app.cascade!.links().filter((l) => l.sessionId === sessionId)).toEqual([]);
  figures.push(
    `home node B stopped: the guest on A told to rebuild after ${Math.round(rebuiltAt - stoppedAt)} ms, ` +
      `the session placed on A (home room there), the guest back in it with its 2 producers`,
  );

  // The recording B began goes on on A, in the same chain: the guest's runs on A are numbered after
  // the one B recorded (the nodes share the data directory here: no file of B's is written over, no
  // file name is chained twice), and the recording verifies once the session ends on A.
  const store = a.app.services.recording.store;
  const recordedOfGuest = await a.app.services.recording.recordedSegments(sessionId, guestPeer);
  expect(recordedOfGuest).toBeGreaterThan(0);
  await waitForRecordedSegments(a, sessionId, guestPeer, recordedOfGuest + 2, 30_000);
  await a.app.services.media!.endSession(sessionId);
  await until('the recording sealed on A', async () => (await store.get(sessionId))?.status === 'sealed');
  const verification = await a.app.services.recording.verify(sessionId);
  expect(verification).toMatchObject({ valid: true, firstBadSegment: null, status: 'sealed' });
  const links = await store.segments(sessionId);
  const all = links.map((s) => s.file);
  expect(new Set(all).size).toBe(all.length);
  // The chain says where it went on: its own link, between B's runs of the guest and A's.
  const resumed = links.filter((l) => l.track === 'entry:recording-resumed');
  expect(resumed).toHaveLength(1);
  const mark = resumed[0]!;
  const guest = links.filter((l) => l.participant === guestPeer && isMediaSegment(l));
  const runOf = (l: { file: string }) => l.file.split('/').at(-1)!.slice(0, 5);
  const runsOnB = new Set(guest.filter((l) => l.index < mark.index).map(runOf));
  const runsOnA = new Set(guest.filter((l) => l.index > mark.index).map(runOf));
  expect(runsOnB.size).toBeGreaterThan(0);
  expect(runsOnA.size).toBeGreaterThan(0);
  expect([...runsOnA].every((r) => [...runsOnB].every((before) => r > before))).toBe(true);
  // The auditor's timeline shows it, about nobody.
  const timeline = buildTimeline({
    recordId: 'r',
    session: (await a.app.services.sessions.find(sessionId))!,
    documents: [],
    presence: [],
    recording: { startedAt: (await store.get(sessionId))!.startedAt, links },
  });
  expect(timeline.marks.filter((m) => m.kind === 'recording_resumed')).toMatchObject([
    { offsetMs: mark.startMs, who: null, role: null },
  ]);
  figures.push(
    `the recording continued on A: the guest's runs ${[...runsOnB].join(', ')} on B, ${[...runsOnA].join(', ')} on A, ` +
      `marked by link #${mark.index} (entry:recording-resumed at ${mark.startMs} ms, after B's ${mark.index} links); ` +
      `${verification.segmentCount} links, valid ${verification.valid}, status ${verification.status}`,
  );
  await closeLiveRoom([guestBot!]);
});
