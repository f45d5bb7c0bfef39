// Simulcast, per-site caps and the audio-only fallback with headless WebRTC bots on a real server
// (bench harness: createApp in a child process). One room of three: the handling clerk (cixi), the
// originating clerk at a 县/镇-like site capped at 300 kbit/s (xingren), the applicant (no site).
// The audio-only floor is set above xingren's cap, so its downlink estimate stays under the floor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../bench/support/Bot.js';
import { Harness, delay } from '../../bench/support/harness.js';
import type { RoomTicket } from '../../bench/support/harness-protocol.js';
import { SyntheticMedia } from '../../bench/support/SyntheticMedia.js';
import { tempDir } from '../../bench/support/temp.js';
import { io as ioClient, type Socket } from 'socket.io-client';
import { cameraCapture, type MediaAck } from '../../protocol/media.js';
import { SESSION_COOKIE } from '../../server/features/auth/index.js';
import { until } from '../faults/support.js';

const capKbps = 300;
const floorKbps = 400;
const dir = tempDir('simulcast-');
const media = new SyntheticMedia(cameraCapture);
let h: Harness;
let ticket: RoomTicket;
let cixi: Bot;
let xingren: Bot;
let applicant: Bot;

beforeAll(async () => {
  h = await Harness.start({
    dataDir: dir.path,
    record: false,
    workers: 1,
    env: { TONGBAN_SITE_BITRATE_CAPS: `xingren=${capKbps}`, TONGBAN_AUDIO_ONLY_FLOOR_KBPS: String(floorKbps) },
  });
  ticket = await h.room(3);
  const bot = (i: number, o: { ignoreSendCap?: boolean } = {}) =>
    new Bot({
      url: h.url,
      sessionId: ticket.sessionId,
      token: ticket.seats[i]!.token,
      media,
      ca: h.ready.rootPem,
      simulcast: true,
      ...o,
    });
  // xingren ignores its cap on purpose: the server, not the client's good manners, must hold it.
  [cixi, xingren, applicant] = [bot(0), bot(1, { ignoreSendCap: true }), bot(2)];
  for (const b of [cixi, xingren, applicant]) await b.start();
  await until(
    30_000,
    'every bot decodes both remote videos',
    async () => [cixi, xingren, applicant].map((b) => [...b.videos.values()].filter((v) => v.frames > 0).length),
    (n) => n.every((x) => x === 2),
  );
}, 120_000);

afterAll(async () => {
  for (const b of [cixi, xingren, applicant]) await b?.close().catch(() => undefined);
  media.stop();
  await h?.stop();
  dir.remove();
});

const peerOf = (b: Bot) => b.peerId;

describe('simulcast layers follow the tile size', () => {
  it('a small tile gets the lowest layer, a large one the top layer', async () => {
    const producerId = [...cixi.videos.values()].find((v) => v.peerId === peerOf(applicant))!.producerId;
    const consumerId = cixi.videos.get(producerId)!.consumerId;
    const layerOf = async () => (await cixi.stats()).consumers.find((c) => c.id === consumerId)!;

    expect(await cixi.setTileSize(producerId, 100)).toBe(0);
    const low = await until(20_000, 'layer 0 forwarded', layerOf, (c) => c.currentSpatialLayer === 0);
    expect(low.preferredSpatialLayer).toBe(0);

    expect(await cixi.setTileSize(producerId, 540)).toBe(2);
    const top = await until(30_000, 'layer 2 forwarded', layerOf, (c) => c.currentSpatialLayer === 2);
    expect(top.preferredSpatialLayer).toBe(2);

    expect(await cixi.setTileSize(producerId, 270)).toBe(1);
    await until(20_000, 'layer 1 forwarded', layerOf, (c) => c.currentSpatialLayer === 1);
    // The layer changes were pushed to the receiver as they happened.
    const seen = cixi.layerChanges.filter((l) => l.consumerId === consumerId).map((l) => l.spatialLayer);
    expect(seen).toEqual(expect.arrayContaining([0, 2, 1]));
    process.stdout.write(`simulcast: layer changes pushed to the receiver: ${seen.join(' → ')}\n`);
  });
});

describe('a per-site bandwidth cap', () => {
  it('keeps what a capped site sends under its cap, measured from the SFU’s stats', async () => {
    const video = async (b: Bot) => (await b.stats()).producers.find((p) => p.kind === 'video')!;
    const bytes = async (b: Bot) => (await video(b)).byteCount;
    // It offered all three layers, but the server's feedback held its encoder under the cap: the
    // upper layers never start (libwebrtc turns off what does not fit), the applicant's all do.
    expect((await video(xingren)).streams).toBeLessThan(3);
    expect((await video(applicant)).streams).toBe(3);
    // The estimate settles within a few seconds of the server's first feedback.
    await delay(3000);
    const [x0, a0, t0] = [await bytes(xingren), await bytes(applicant), performance.now()];
    await delay(6000);
    const seconds = (performance.now() - t0) / 1000;
    const xKbps = (8 * ((await bytes(xingren)) - x0)) / seconds / 1000;
    const aKbps = (8 * ((await bytes(applicant)) - a0)) / seconds / 1000;
    process.stdout.write(
      `cap: xingren (cap ${capKbps}) sends ${xKbps.toFixed(0)} kbit/s video; the uncapped applicant ${aKbps.toFixed(0)} kbit/s\n`,
    );
    expect(xKbps).toBeLessThan(capKbps);
    expect(xKbps).toBeGreaterThan(20);
    // The same bots uncapped send far more: the cap, not the source, is what limits xingren.
    expect(aKbps).toBeGreaterThan(capKbps);
  });

  it('caps what is sent to that site: its downlink estimate stays at the cap', async () => {
    const s = await xingren.stats();
    expect(s.recvCapBps).toBe(capKbps * 1000);
    expect(s.availableKbps).not.toBeNull();
    expect(s.availableKbps!).toBeLessThanOrEqual(capKbps);
    const others = await cixi.stats();
    expect(others.recvCapBps).toBeNull();
  });
});

describe('audio-only fallback', () => {
  it('engages under the floor, is announced, and releases once the downlink recovers', async () => {
    // xingren's downlink (capped at 300) is under the floor (400): its video is paused.
    await until(20_000, 'audio-only engaged', async () => xingren.audioOnly.at(-1)?.active ?? false, Boolean);
    const paused = await xingren.stats();
    expect(paused.audioOnly).toBe(true);
    // Video consumers stay paused outside probes; audio keeps flowing.
    expect(paused.consumers.filter((c) => c.kind === 'audio').every((c) => !c.paused)).toBe(true);
    // Everyone is told: xingren's connection is poor and audio-only; the others' is not.
    const told = await until(
      10_000,
      'the room told xingren is audio-only',
      async () => cixi.quality.find((q) => q.peerId === xingren.peerId),
      (q) => q?.audioOnly === true,
    );
    expect(told!.level).toBe('poor');
    expect(cixi.quality.find((q) => q.peerId === cixi.peerId)?.audioOnly).toBe(false);
    // The others keep their video.
    expect((await cixi.stats()).audioOnly).toBe(false);

    await h.request('setReceiveCap', { sessionId: ticket.sessionId, peerId: xingren.peerId, kbps: null });
    const releasedAt = performance.now();
    await until(
      60_000,
      'audio-only released',
      async () => xingren.audioOnly.at(-1)?.active ?? true,
      (a) => !a,
    );
    const after = await xingren.stats();
    expect(after.audioOnly).toBe(false);
    expect(after.consumers.filter((c) => c.kind === 'video').every((c) => !c.paused)).toBe(true);
    const frames = () => [...xingren.videos.values()].map((v) => v.frames);
    const before = frames();
    await delay(2000);
    expect(frames().every((n, i) => n > before[i]!)).toBe(true);
    process.stdout.write(
      `audio-only: engaged ${xingren.audioOnly.filter((a) => a.active).length}×, released ${Math.round(performance.now() - releasedAt)} ms after the cap was lifted (at ${after.availableKbps} kbit/s)\n`,
    );
  });
});

describe('bad input to tile sizes, stats and the probe', () => {
  const sockets: Socket[] = [];
  afterAll(() => sockets.forEach((s) => s.disconnect()));
  async function socketWith(token: string): Promise<Socket> {
    const s = ioClient(h.url, {
      transports: ['websocket'],
      extraHeaders: { cookie: `${SESSION_COOKIE}=${token}` },
      ca: h.ready.rootPem,
      forceNew: true,
    });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('connect_error', reject);
    });
    return s;
  }
  const send = (s: Socket, method: string, data: unknown) =>
    s.timeout(10_000).emitWithAck('media:request', { method, data }) as Promise<MediaAck>;
  const code = (r: MediaAck) => (r.ok ? 'ok' : r.error.code);

  it('answers each refusal with its code', async () => {
    // A seat in a room of its own (a second room: the bots keep theirs).
    const other = await h.room(2);
    const s = await socketWith(other.seats[0]!.token);
    expect(code(await send(s, 'setTileSize', { consumerId: 'c', width: 10, height: 10 }))).toBe('not_joined');
    expect(code(await send(s, 'stats', {}))).toBe('not_joined');
    expect(code(await send(s, 'probeResult', {}))).toBe('invalid_state');
    expect(
      code(
        await send(s, 'probeConnect', { dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] } }),
      ),
    ).toBe('invalid_state');
    expect(code(await send(s, 'join', { sessionId: other.sessionId }))).toBe('ok');
    expect(code(await send(s, 'setTileSize', { consumerId: 'no-such', width: 10, height: 10 }))).toBe('not_found');
    expect(code(await send(s, 'setTileSize', { consumerId: 'x', width: -1, height: 10 }))).toBe('bad_request');
    expect(code(await send(s, 'setTileSize', { consumerId: 'x', width: 10.5, height: 10 }))).toBe('bad_request');
    expect(code(await send(s, 'setTileSize', { consumerId: 'x', width: 10, height: 99_999 }))).toBe('bad_request');
    expect(code(await send(s, 'stats', { extra: 1 }))).toBe('bad_request');
    // A probe sends data on one SCTP stream; a stream id the schema lets through but the engine does not is its refusal.
    const started = await send(s, 'probeStart', {});
    expect(code(started)).toBe('ok');
    expect(code(await send(s, 'probeProduce', { kind: 'video', rtpParameters: { codecs: [{}] } }))).toBe('bad_request');
    expect(code(await send(s, 'probeProduce', { sctpStreamParameters: { streamId: 65_535 } }))).toBe('media_rejected');
    const result = await send(s, 'probeResult', {});
    expect(code(result)).toBe('ok');
    // The result closes the probe: reading it again needs a new one.
    expect(code(await send(s, 'probeResult', {}))).toBe('invalid_state');
    const auditor = await socketWith(
      ((await h.request('loginToken', { userId: 'auditor' })) as { token: string }).token,
    );
    expect(code(await send(auditor, 'probeStart', {}))).toBe('forbidden');
    await h.request('endSession', { sessionId: other.sessionId });
  });
});
