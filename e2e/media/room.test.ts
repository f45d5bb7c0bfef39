// Three real browsers in one session on the real MediaService and signalling: everyone decodes
// everyone, a late joiner sees video at once, and a killed worker is replaced without user action.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FinishedRecording } from '../../server/features/recording/index.js';
import { verifyRecording } from '../../server/features/recording/index.js';
import { probe } from './ffprobe.js';
import { launchChromium, waitForDecoding } from './browser.js';
import { startTestMediaServer, type TestMediaServer } from './test-server.js';

const sessionId = 'sess-room-1';
/** The worker-death test runs in a second session, after the first one's recording is sealed. */
const secondSession = 'sess-room-2';
const cixi = 'user:clerk.cixi';
const xingren = 'user:clerk.xingren';
const applicant = `guest:${sessionId}`;
const consentedAt: Record<string, number> = {};
/** When each participant's first track reached the server in the first session: its time "in the session". */
const producingSince: Record<string, number> = {};

let server: TestMediaServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startTestMediaServer({
    [sessionId]: ['clerk.cixi', 'clerk.xingren'],
    [secondSession]: ['clerk.cixi', 'clerk.xingren'],
  });
  browser = await launchChromium();
  server.media.on('room', (room) => {
    if (room.sessionId === sessionId) room.on('newProducer', (p) => (producingSince[p.peerId] ??= Date.now()));
  });
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

async function openRoom(as: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const host = new URL(server.url).hostname;
  await context.addCookies([{ name: 'tb-test-as', value: encodeURIComponent(as), domain: host, path: '/' }]);
  const page = await context.newPage();
  await page.goto(`${server.url}/room/${sessionId}`);
  await page.getByTestId('consent-accept').click();
  consentedAt[`user:${as}`] = Date.now();
  return page;
}

/** The built CLI (the vitest global setup compiles dist/). */
function tongban(args: string[]) {
  return spawnSync('node', [join(import.meta.dirname, '../../bin/tongban.cjs'), ...args], { encoding: 'utf8' });
}

describe('three browsers in one room', () => {
  const pages: Record<string, Page> = {};

  it('two clerks decode each other; the applicant joining late decodes video within 2 s', async () => {
    pages[cixi] = await openRoom('clerk.cixi');
    pages[xingren] = await openRoom('clerk.xingren');
    await waitForDecoding(pages[cixi], [xingren]);
    await waitForDecoding(pages[xingren], [cixi]);

    const context = await browser.newContext();
    contexts.push(context);
    await context.addCookies([
      { name: 'tb-test-as', value: encodeURIComponent(applicant), domain: '127.0.0.1', path: '/' },
    ]);
    const page = await context.newPage();
    pages[applicant] = page;
    await page.goto(`${server.url}/room/${sessionId}`);
    await page.getByTestId('consent-accept').waitFor();
    // From the join request (User Timing mark set by the room client) to the first decoded frame of
    // both clerks; page load is printed as well.
    const timing = await page.evaluate(
      async (peers) => {
        for (;;) {
          const stats = (await window.__tongbanRoom?.stats()) ?? [];
          if (peers.every((p) => stats.some((s) => s.peerId === p && s.kind === 'video' && s.framesDecoded > 0))) {
            const join = performance.getEntriesByName('tongban:join')[0]?.startTime ?? 0;
            return { fromNavigation: performance.now(), fromJoin: performance.now() - join };
          }
          if (performance.now() > 20_000) return { fromNavigation: Infinity, fromJoin: Infinity };
          await new Promise((r) => setTimeout(r, 20));
        }
      },
      [cixi, xingren],
    );
    console.log(
      `late joiner: video from both clerks decoded ${Math.round(timing.fromJoin)} ms after joining (${Math.round(timing.fromNavigation)} ms after navigation)`,
    );
    await page.getByTestId('consent-accept').click();
    consentedAt[applicant] = Date.now();
    expect(timing.fromJoin).toBeLessThan(2_000);
  });

  it('each page decodes audio and video from both others', async () => {
    const everyone = [cixi, xingren, applicant];
    for (const who of everyone) {
      const others = everyone.filter((p) => p !== who);
      const summary = await waitForDecoding(pages[who]!, others);
      console.log(
        `${who}: frames decoded ${JSON.stringify(summary.frames)} audio packets ${JSON.stringify(summary.audioPackets)}`,
      );
      for (const o of others) expect(summary.frames[o]).toBeGreaterThan(0);
      await expect.poll(() => pages[who]!.getByTestId('video-tile').count()).toBe(3);
    }
    await expect
      .poll(() => pages[applicant]!.getByTestId('video-tile').filter({ hasText: '慈溪窗口 王敏' }).count())
      .toBe(1);
    // The fake microphones beep: the audio-level observer names an active speaker.
    const speaker = await pages[applicant]!.waitForFunction(
      () => window.__tongbanRoom?.state.activeSpeaker,
      undefined,
      { timeout: 15_000 },
    );
    console.log(`active speaker seen by the applicant: ${String(await speaker.jsonValue())}`);
  });

  it('every page shows the recording indicator; the sealed recording verifies and holds VP8 + Opus per participant', async () => {
    for (const page of Object.values(pages)) await page.getByTestId('recording-indicator').waitFor({ timeout: 10_000 });
    // Let the session run long enough that a 10 % tolerance means something (≥ 20 s for everyone).
    const last = Math.max(...Object.values(consentedAt));
    await new Promise((r) => setTimeout(r, Math.max(0, last + 20_000 - Date.now())));
    const endedAt = Date.now();
    const finished = (await server.media.endSession(sessionId)) as FinishedRecording;
    expect(finished.status).toBe('sealed');
    const verification = await verifyRecording({ dataDir: server.dataDir, sessionId, store: server.store });
    console.log(
      `recording: ${verification.segmentCount} segments, head ${verification.head}, valid ${verification.valid}`,
    );
    expect(verification.valid).toBe(true);
    expect(verification.segmentCount).toBeGreaterThanOrEqual(9);
    const cli = tongban(['record', 'verify', sessionId, '--data', server.dataDir]);
    console.log(`$ tongban record verify ${sessionId}\n${cli.stdout}`);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('VALID');

    const job = server.recorder.composite(sessionId)!;
    const progress: number[] = [];
    job.on('progress', (p) => progress.push(p));
    const rendered = await job.result;
    for (const who of [cixi, xingren, applicant]) {
      expect(rendered.participants[who], `${who} has a recorded file`).toBeDefined();
      const p = probe(rendered.participants[who]!);
      const expected = (endedAt - producingSince[who]!) / 1000;
      console.log(
        `ffprobe ${who}: ${p.codecs.join('+')} ${p.durationSec.toFixed(2)} s (opus ${p.streamSec.opus?.toFixed(2)} s, vp8 ${p.streamSec.vp8?.toFixed(2)} s; in the session ${expected.toFixed(2)} s)`,
      );
      expect(p.codecs).toEqual(['opus', 'vp8']);
      expect(Math.abs(p.durationSec - expected) / expected).toBeLessThan(0.1);
      // Neither track lost its tail or drifted away from the other.
      expect(Math.abs(p.streamSec.opus! - p.streamSec.vp8!)).toBeLessThan(0.5);
    }
    const composite = probe(rendered.composite!);
    console.log(
      `composite: ${composite.codecs.join('+')} ${composite.durationSec.toFixed(2)} s, progress events ${progress.length}`,
    );
    expect(composite.codecs).toEqual(['aac', 'h264']);
    expect(progress.at(-1)).toBe(1);

    // One flipped byte in a segment: verification fails and names that segment.
    const target = server.store.segments(sessionId)[2]!;
    const file = join(finished.dir, target.file);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(file, bytes);
    const tampered = await verifyRecording({ dataDir: server.dataDir, sessionId, store: server.store });
    console.log(
      `after flipping a byte in ${target.file}: valid ${tampered.valid}, first bad ${JSON.stringify(tampered.firstBadSegment)}`,
    );
    expect(tampered.valid).toBe(false);
    expect(tampered.firstBadSegment).toEqual({ index: 2, file: target.file, reason: 'hash_mismatch' });
    const cliTampered = tongban(['record', 'verify', sessionId, '--data', server.dataDir]);
    console.log(`$ tongban record verify ${sessionId} (tampered)\n${cliTampered.stdout}`);
    expect(cliTampered.status).toBe(1);
    expect(cliTampered.stdout).toContain(`first bad segment: #2 ${target.file} (hash_mismatch)`);
  });

  it('a killed worker is replaced and every page decodes again without user action', async () => {
    // A second session (the first one's recording is sealed): the applicant's invitation is for it.
    const applicant2 = `guest:${secondSession}`;
    await pages[applicant]!.context().addCookies([
      { name: 'tb-test-as', value: encodeURIComponent(applicant2), domain: '127.0.0.1', path: '/' },
    ]);
    const second: Record<string, Page> = {
      [cixi]: pages[cixi]!,
      [xingren]: pages[xingren]!,
      [applicant2]: pages[applicant]!,
    };
    for (const page of Object.values(second)) {
      await page.goto(`${server.url}/room/${secondSession}`);
      await page.getByTestId('consent-accept').click();
    }
    const everyone = Object.keys(second);
    for (const who of everyone)
      await waitForDecoding(
        second[who]!,
        everyone.filter((p) => p !== who),
      );

    const [worker] = await server.media.pool.workers();
    const rebuilt = new Promise<void>((r) => server.media.once('rebuild', () => r()));
    process.kill(worker!.pid, 'SIGKILL');
    await rebuilt;
    for (const who of everyone) {
      const summary = await waitForDecoding(
        second[who]!,
        everyone.filter((p) => p !== who),
        30_000,
      );
      console.log(`after rebuild ${who}: frames decoded ${JSON.stringify(summary.frames)}`);
    }
    const [fresh] = await server.media.pool.workers();
    expect(fresh!.pid).not.toBe(worker!.pid);

    // Mute states reach the others.
    await second[cixi]!.evaluate(() => window.__tongbanRoom!.setMuted('audio', true));
    await second[xingren]!.waitForFunction(
      (id) => window.__tongbanRoom?.state.peers.get(id)?.audioMuted === true,
      cixi,
    );
    await second[cixi]!.evaluate(() => window.__tongbanRoom!.setMuted('audio', false));
    await second[xingren]!.waitForFunction(
      (id) => window.__tongbanRoom?.state.peers.get(id)?.audioMuted === false,
      cixi,
    );

    // A network blip: the applicant's connection drops under it; socket.io reconnects, the client
    // takes its seat again and media flows both ways, without user action.
    const page = second[applicant2]!;
    await page.evaluate(() => {
      const w = window as unknown as { __rejoins: number };
      w.__rejoins = 0;
      window.__tongbanRoom!.addEventListener('rejoined', () => (w.__rejoins += 1));
    });
    const socket = [...server.io.sockets.sockets.values()].find((s) => s.data.mediaSeat?.peerId === applicant2);
    socket!.conn.close();
    await page.waitForFunction(() => (window as unknown as { __rejoins: number }).__rejoins >= 1, undefined, {
      timeout: 15_000,
    });
    for (const who of everyone) {
      const summary = await waitForDecoding(
        second[who]!,
        everyone.filter((p) => p !== who),
        20_000,
      );
      console.log(`after the applicant's blip ${who}: frames decoded ${JSON.stringify(summary.frames)}`);
    }
    await new Promise((r) => setTimeout(r, 5_000));

    // The recording went on after the worker's death: each participant's runs started on the new
    // router (r0002 on) hold seconds of media, in the same unbroken chain.
    await server.media.endSession(secondSession);
    const v = await verifyRecording({ dataDir: server.dataDir, sessionId: secondSession, store: server.store });
    const afterRebuildMs = new Map<string, number>();
    for (const seg of server.store.segments(secondSession)) {
      if (seg.file.split('/')[1]!.startsWith('r0001')) continue;
      afterRebuildMs.set(seg.participant, (afterRebuildMs.get(seg.participant) ?? 0) + seg.endMs - seg.startMs);
    }
    console.log(
      `second session: ${v.segmentCount} segments, valid ${v.valid}, ms recorded after the rebuild ${JSON.stringify(Object.fromEntries(afterRebuildMs))}`,
    );
    expect(v.valid).toBe(true);
    for (const who of everyone) expect(afterRebuildMs.get(who) ?? 0).toBeGreaterThan(3_000);
  });
});
