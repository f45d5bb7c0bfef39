// Hostile or broken clients get an error for themselves only: malformed signalling, unknown
// producers, a transport that never finishes DTLS, garbage on the RTC ports. Meanwhile two real
// browsers in another session keep decoding and the worker stays the same process.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaAck } from '../../protocol/media.js';
import { launchChromium, waitForDecoding } from './browser.js';
import { startTestMediaServer, type TestMediaServer } from './test-server.js';

const healthy = 'sess-healthy';
const abused = 'sess-abused';
let server: TestMediaServer;
let browser: Browser;
const pages: Page[] = [];
const sockets: Socket[] = [];
let workerPid: number;

beforeAll(async () => {
  server = await startTestMediaServer(
    { [healthy]: ['clerk.cixi', 'clerk.xingren'], [abused]: ['clerk.xingren'] },
    { connectTimeoutMs: 1_500 },
  );
  workerPid = (await server.media.pool.workers())[0]!.pid;
  browser = await launchChromium();
  for (const as of ['clerk.cixi', 'clerk.xingren']) {
    const context = await browser.newContext();
    await context.addCookies([{ name: 'tb-test-as', value: as, domain: '127.0.0.1', path: '/' }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/room/${healthy}`);
    await page.getByTestId('consent-accept').click();
    pages.push(page);
  }
  await waitForDecoding(pages[0]!, ['user:clerk.xingren']);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await browser?.close();
  await server?.close();
});

async function client(as: string): Promise<Socket> {
  const socket = ioClient(server.url, {
    transports: ['websocket'],
    extraHeaders: { cookie: `tb-test-as=${encodeURIComponent(as)}` },
    forceNew: true,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

function send(socket: Socket, payload: unknown): Promise<MediaAck> {
  return socket.timeout(5_000).emitWithAck('media:request', payload) as Promise<MediaAck>;
}

async function ok<T>(socket: Socket, method: string, data: unknown): Promise<T> {
  const res = await send(socket, { method, data });
  if (!res.ok) throw new Error(`${method}: ${res.error.code} ${res.error.message}`);
  return res.data as T;
}

function errorCode(res: MediaAck): string {
  expect(res.ok).toBe(false);
  return res.ok ? '' : res.error.code;
}

describe('bad input hurts only the sender', () => {
  it('rejects malformed requests, strangers, auditors and producing before consent', async () => {
    const s = await client('clerk.xingren');
    expect(errorCode(await send(s, null))).toBe('bad_request');
    expect(errorCode(await send(s, 'join'))).toBe('bad_request');
    expect(errorCode(await send(s, { method: 'explode', data: {} }))).toBe('bad_request');
    expect(errorCode(await send(s, { method: 'join', data: { sessionId: 'x'.repeat(500) } }))).toBe('bad_request');
    expect(errorCode(await send(s, { method: 'join', data: { sessionId: abused, extra: 1 } }))).toBe('bad_request');
    expect(errorCode(await send(s, { method: 'join', data: { sessionId: abused, pad: 'x'.repeat(100_000) } }))).toBe(
      'payload_too_large',
    );
    expect(errorCode(await send(s, { method: 'createTransport', data: { direction: 'send' } }))).toBe('not_joined');
    // No acknowledgement callback: ignored, the connection stays usable.
    s.emit('media:request', { method: 'join', data: { sessionId: abused } });
    expect(errorCode(await send(s, { method: 'join', data: { sessionId: 'sess-not-theirs' } }))).toBe('forbidden');

    const auditor = await client('auditor.zhang');
    expect(errorCode(await send(auditor, { method: 'join', data: { sessionId: abused } }))).toBe('forbidden');
    // Nobody without a session gets a socket at all: the handshake is refused, as on the real server.
    await expect(client('nobody')).rejects.toThrow('unauthenticated');

    await ok(s, 'join', { sessionId: abused });
    const t = await ok<{ id: string }>(s, 'createTransport', { direction: 'send' });
    const produce = await send(s, {
      method: 'produce',
      data: {
        transportId: t.id,
        kind: 'audio',
        rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }] },
      },
    });
    expect(errorCode(produce)).toBe('consent_required');
  });

  it('answers unknown producers and garbage engine parameters with an error', async () => {
    const s = await client('clerk.xingren');
    const joined = await ok<{ routerRtpCapabilities: unknown }>(s, 'join', { sessionId: abused });
    await ok(s, 'consent', {});
    const recv = await ok<{ id: string }>(s, 'createTransport', { direction: 'recv' });
    const unknownProducer = await send(s, {
      method: 'consume',
      data: { transportId: recv.id, producerId: 'no-such-producer', rtpCapabilities: joined.routerRtpCapabilities },
    });
    expect(errorCode(unknownProducer)).toBe('not_found');
    const send1 = await ok<{ id: string }>(s, 'createTransport', { direction: 'send' });
    const badRtp = await send(s, {
      method: 'produce',
      data: {
        transportId: send1.id,
        kind: 'video',
        rtpParameters: { codecs: [{ mimeType: 'video/H263', payloadType: 300 }] },
      },
    });
    expect(errorCode(badRtp)).toBe('media_rejected');
    expect(errorCode(await send(s, { method: 'resumeConsumer', data: { consumerId: 'nope' } }))).toBe('not_found');
    expect(
      errorCode(
        await send(s, {
          method: 'connectTransport',
          data: { transportId: send1.id, dtlsParameters: { fingerprints: [] } },
        }),
      ),
    ).toBe('bad_request');
  });

  it('closes a transport whose DTLS never completes and shrugs off garbage on its ports', async () => {
    const s = await client('clerk.xingren');
    await ok(s, 'join', { sessionId: abused });
    const t = await ok<{ id: string; iceCandidates: { protocol: string; port: number; ip: string }[] }>(
      s,
      'createTransport',
      { direction: 'send' },
    );
    await ok(s, 'connectTransport', {
      transportId: t.id,
      dtlsParameters: {
        role: 'client',
        fingerprints: [{ algorithm: 'sha-256', value: Array(32).fill('AB').join(':') }],
      },
    });
    const udp = t.iceCandidates.find((c) => c.protocol === 'udp')!;
    const tcp = t.iceCandidates.find((c) => c.protocol === 'tcp');
    const sock = createSocket('udp4');
    for (let i = 0; i < 500; i++) {
      const junk = Buffer.alloc(1 + Math.floor(Math.random() * 1400));
      for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(Math.random() * 256);
      if (i % 5 === 0) junk[0] = 0x00; // looks like STUN
      if (i % 5 === 1) junk[0] = 0x80; // looks like RTP
      if (i % 5 === 2) junk[0] = 0x16; // looks like DTLS
      sock.send(junk, udp.port, udp.ip);
    }
    await new Promise((r) => setTimeout(r, 300));
    sock.close();
    if (tcp) {
      await new Promise<void>((resolve) => {
        const c = connect(tcp.port, tcp.ip, () => c.end(Buffer.alloc(4096, 0xff)));
        c.on('close', () => resolve());
        c.on('error', () => resolve());
      });
    }
    // After the connect timeout the half-open transport is gone: using it is an error.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(
      errorCode(
        await send(s, {
          method: 'connectTransport',
          data: { transportId: t.id, dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] } },
        }),
      ),
    ).toBe('not_found');
    // The same client can still work in its room.
    const again = await ok<{ id: string }>(s, 'createTransport', { direction: 'recv' });
    expect(again.id).toMatch(/\S/);
    // Each transport holds ports: a participant gets a few, not unlimited.
    const extra: MediaAck[] = [];
    for (let i = 0; i < 6; i++) extra.push(await send(s, { method: 'createTransport', data: { direction: 'recv' } }));
    expect(extra.filter((r) => r.ok)).toHaveLength(3);
    expect(errorCode(extra.at(-1)!)).toBe('too_many_transports');
  });

  it('a request flood is answered rate_limited before it reaches the engine; the connection recovers', async () => {
    const s = await client('clerk.xingren');
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 400 }, () => send(s, { method: 'createTransport', data: { direction: 'send' } })),
    );
    const seconds = (performance.now() - started) / 1000;
    const codes = answers.map(errorCode);
    const limited = codes.filter((c) => c === 'rate_limited').length;
    const handled = codes.filter((c) => c === 'not_joined').length;
    expect(limited + handled).toBe(400);
    // Handled: the burst (100) plus what the rate (50/s) refilled while the flood was answered.
    expect(handled).toBeGreaterThanOrEqual(100);
    expect(handled).toBeLessThanOrEqual(100 + Math.ceil(50 * seconds) + 1);
    expect(limited).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(errorCode(await send(s, { method: 'createTransport', data: { direction: 'send' } }))).toBe('not_joined');
    await ok(s, 'join', { sessionId: abused });
  });

  it('a second connection with the same identity takes the seat; the first is told and loses it', async () => {
    const first = await client('clerk.xingren');
    await ok(first, 'join', { sessionId: abused });
    const replaced = new Promise<{ sessionId: string }>((r) => first.once('media:replaced', r));
    const second = await client('clerk.xingren');
    await ok(second, 'join', { sessionId: abused });
    expect(await replaced).toEqual({ sessionId: abused });
    expect(errorCode(await send(first, { method: 'createTransport', data: { direction: 'recv' } }))).toBe('not_joined');
    await ok(second, 'createTransport', { direction: 'recv' });
  });

  it('the worker is the same process and the other room never stopped decoding', async () => {
    const worker = (await server.media.pool.workers())[0]!;
    expect(worker.pid).toBe(workerPid);
    expect((await worker.getResourceUsage()).ru_maxrss).toBeGreaterThan(0);
    for (const [i, page] of pages.entries()) {
      const other = i === 0 ? 'user:clerk.xingren' : 'user:clerk.cixi';
      const summary = await waitForDecoding(page, [other]);
      console.log(`healthy room page ${i}: frames decoded ${JSON.stringify(summary.frames)}`);
    }
  });
});
