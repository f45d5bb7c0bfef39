// Issue 15 §5 in three Chromium pages of the real app: the 兴仁 clerk shares a screen (getDisplayMedia;
// headless Chromium's fake capture answers without a picker under --use-fake-ui-for-media-stream
// and --use-fake-device-for-media-stream, the flags every browser test already has), the 慈溪 clerk
// and the applicant see it large with the sharer's name, decode it (the share <video>'s currentTime
// and readyState sampled over 6 s) and get the notice; the sharer's camera tile stays; a second
// clerk is refused while it runs; the browser's own "stop sharing" (the track's 'ended') ends it.
// The recording then holds the share as its own track, as long as it was shared, and the composite
// shows it. Screenshots: e2e/artifacts/screen-share-*.png.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMediaSegment, screenShareParticipant } from '../../server/features/recording/index.js';
import { artifacts } from '../support/people.js';
import { launchChromium, waitForDecoding } from './browser.js';
import { applicantRoomPage, openInvitedSession, staffRoomPage, startApp, type RunningApp } from './app-server.js';

let app: RunningApp;
let browser: Browser;
let sessionId: string;
let inviteUrl: string;
let pages: { cixi: Page; xingren: Page; applicant: Page };
const sharer = 'user:clerk.xingren';

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  app = await startApp();
  browser = await launchChromium(['--ignore-certificate-errors']);
  ({ sessionId, inviteUrl } = await openInvitedSession(app, { name: '陈静', idNumber: '522501199001011234' }));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.dispose();
});

/** The share <video>'s playback state in a page. */
const shareVideo = (p: Page) =>
  p.getByTestId('screen-video').evaluate((v: HTMLVideoElement) => ({
    currentTime: v.currentTime,
    readyState: v.readyState,
    width: v.videoWidth,
  }));

const screenLinks = async () =>
  (await app.app.services.recording.store.segments(sessionId)).filter((l) => l.track.startsWith('entry:screen-share-'));

describe('screen sharing in the browser', () => {
  it('the 兴仁 clerk shares; the two others see it large, decode it and are told; the camera tile stays', async () => {
    const cixi = await staffRoomPage(browser, app, 'clerk.cixi', sessionId);
    const xingren = await staffRoomPage(browser, app, 'clerk.xingren', sessionId);
    const { page: applicant, guestId } = await applicantRoomPage(browser, inviteUrl, sessionId);
    pages = { cixi, xingren, applicant };
    await waitForDecoding(cixi, [sharer, `guest:${guestId}`], 60_000);
    // The applicant has no share button; the clerks have one.
    await xingren.getByTestId('toggle-screen').waitFor();
    await cixi.getByTestId('toggle-screen').waitFor();
    expect(await applicant.getByTestId('toggle-screen').count()).toBe(0);

    await xingren.getByTestId('toggle-screen').click();
    await expect.poll(() => xingren.getByTestId('toggle-screen').getAttribute('aria-pressed')).toBe('true');
    for (const page of [cixi, applicant]) {
      await page.getByTestId('screen-share').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('screen-share').getAttribute('data-peer-id')).toBe(sharer);
      const notice = page.getByTestId('screen-notice');
      await expect.poll(() => notice.getAttribute('data-sharing')).toBe('true');
      const text = await notice.textContent();
      console.log(`[screen] notice: ${text}; tile: ${await page.getByTestId('screen-share').textContent()}`);
      expect(text).toMatch(/.+ 正在共享屏幕$/);
      // The sharer's camera is still its own tile, next to the share.
      expect(await page.locator(`[data-testid="video-tile"][data-peer-id="${sharer}"]`).count()).toBe(1);
    }
    // Decoded: currentTime grows and a picture is there (readyState ≥ HAVE_CURRENT_DATA) over 6 s.
    for (const [name, page] of Object.entries({ cixi, applicant })) {
      await expect.poll(async () => (await shareVideo(page)).readyState, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
      const samples = [];
      for (let i = 0; i <= 6; i++) {
        samples.push(await shareVideo(page));
        if (i < 6) await page.waitForTimeout(1000);
      }
      console.log(`[screen] ${name} share video samples: ${JSON.stringify(samples)}`);
      for (const s of samples) expect(s.readyState).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < samples.length; i++)
        expect(samples[i]!.currentTime).toBeGreaterThan(samples[i - 1]!.currentTime);
      expect(samples.at(-1)!.currentTime - samples[0]!.currentTime).toBeGreaterThanOrEqual(5);
      expect(samples.at(-1)!.width).toBeGreaterThan(0);
    }
    await cixi.screenshot({ path: join(artifacts, 'screen-share-cixi.png') });
    await applicant.screenshot({ path: join(artifacts, 'screen-share-applicant.png') });
  }, 240_000);

  it('the 慈溪 clerk is refused while 兴仁 shares (the zh message says why)', async () => {
    await pages.cixi.getByTestId('toggle-screen').click();
    const alert = pages.cixi.getByTestId('screen-share-error');
    await alert.waitFor({ timeout: 20_000 });
    const text = await alert.textContent();
    console.log(`[screen] 慈溪 clerk shares while 兴仁 shares → ${text}`);
    expect(text).toBe('另一位工作人员正在共享屏幕，请待其停止共享后再试。');
    expect(await pages.cixi.getByTestId('toggle-screen').getAttribute('aria-pressed')).toBe('false');
    expect(await pages.cixi.getByTestId('screen-share').getAttribute('data-peer-id')).toBe(sharer);
  });

  it("the browser's own stop sharing ends the share everywhere, with the notice", async () => {
    // Keep sharing long enough that the recorded length is measured over tens of seconds.
    await pages.xingren.waitForTimeout(12_000);
    // What Chromium's "停止共享" bar does: the captured track ends.
    await pages.xingren
      .getByTestId('screen-video')
      .evaluate((v: HTMLVideoElement) =>
        (v.srcObject as MediaStream).getVideoTracks()[0]!.dispatchEvent(new Event('ended')),
      );
    for (const page of Object.values(pages)) {
      await expect.poll(() => page.getByTestId('screen-share').count(), { timeout: 20_000 }).toBe(0);
      await expect.poll(() => page.getByTestId('screen-notice').getAttribute('data-sharing')).toBe('false');
      expect(await page.getByTestId('screen-notice').textContent()).toMatch(/.+ 已停止共享屏幕$/);
    }
    expect(await pages.xingren.getByTestId('toggle-screen').getAttribute('aria-pressed')).toBe('false');
    // The stop mark is chained behind the share's last segments: on a loaded machine a moment after the notice.
    await expect
      .poll(async () => (await screenLinks()).map((l) => l.track), { timeout: 20_000 })
      .toEqual(['entry:screen-share-start', 'entry:screen-share-stop']);
  });

  it('the recording holds the share as its own track, as long as it was shared; the composite shows it', async () => {
    await app.app.services.media!.endSession(sessionId);
    const recording = app.app.services.recording;
    const screenId = screenShareParticipant(sharer);
    const manifest = JSON.parse(
      readFileSync(join((await recording.directory(sessionId))!, 'manifest.json'), 'utf8'),
    ) as {
      participants: { id: string; displayName: string; role: string }[];
      tracks: { participant: string; track: string }[];
    };
    console.log(`[screen] manifest participants: ${JSON.stringify(manifest.participants)}`);
    expect(manifest.participants.find((p) => p.id === screenId)).toMatchObject({ role: 'screen' });
    expect(manifest.tracks).toContainEqual(expect.objectContaining({ participant: screenId, track: 'video' }));
    const segs = (await recording.store.segments(sessionId)).filter(
      (s) => s.participant === screenId && isMediaSegment(s),
    );
    const [start, stop] = await screenLinks();
    const sharedMs = stop!.startMs - start!.startMs;
    const recordedMs = segs.at(-1)!.endMs - segs[0]!.startMs;
    console.log(
      `[screen] shared ${sharedMs} ms (chained marks ${start!.startMs}–${stop!.startMs}); screen track ` +
        `${segs[0]!.startMs}–${segs.at(-1)!.endMs} = ${recordedMs} ms in ${segs.length} segments ` +
        `(${((100 * Math.abs(recordedMs - sharedMs)) / sharedMs).toFixed(2)} % apart)`,
    );
    // The marks are chained when the server hears of the share (start) and of its end (the browser's
    // closeProducer, after its track stopped sending): on a loaded machine the stop mark comes seconds
    // after the last packet (seen: 2.9 s on a 88 s share while the test suite ran beside it), and the
    // run's first keyframe reaches ffmpeg after the start mark. Measured 1.8–6.9 % apart; bound at
    // 10 % (or 2.5 s on a short share), the figure printed (7.17 % at load 15–18: ffmpeg
    // took 3.3 s to listen, the first seconds of a new run are lost while it starts — issue 13).
    expect(recordedMs).toBeGreaterThan(sharedMs - Math.max(2500, 0.1 * sharedMs));
    expect(recordedMs).toBeLessThan(sharedMs + 500);

    let composite: { status: string } | undefined;
    for (let i = 0; i < 600 && composite?.status !== 'ready' && composite?.status !== 'failed'; i++) {
      composite = await recording.compositeState(sessionId);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(composite?.status).toBe('ready');
    const file = (await recording.compositeFile(sessionId))!;
    const layout = JSON.parse(readFileSync(join(file, '..', 'composite-layout.json'), 'utf8')) as {
      tile: { width: number; height: number };
      tiles: { participant: string; x: number; y: number }[];
    };
    console.log(`[screen] composite layout: ${JSON.stringify(layout)}`);
    const tile = layout.tiles.find((t) => t.participant === screenId);
    expect(tile).toBeDefined();
    // The share's tile mid-share holds a picture (not the black of an empty tile).
    // The composite's frame mid-share (kept as the artifact): the share's tile holds a picture, not black.
    const frame = join(artifacts, 'screen-share-composite.png');
    const midSec = (start!.startMs + sharedMs / 2) / 1000;
    const grab = spawnSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-ss',
      midSec.toFixed(3),
      '-i',
      file,
      '-frames:v',
      '1',
      frame,
    ]);
    expect(grab.status).toBe(0);
    const during = tileLuma(frame, tile!, layout.tile);
    console.log(
      `[screen] composite at ${midSec.toFixed(1)} s: share tile mean luma ${during.mean.toFixed(1)} (spread ${during.spread})`,
    );
    expect(during.mean).toBeGreaterThan(40);
    expect(during.spread).toBeGreaterThan(20);
  }, 400_000);
});

/** Mean and spread (max − min) of the luma inside a tile of a frame (an image file). */
function tileLuma(
  file: string,
  pos: { x: number; y: number },
  size: { width: number; height: number },
): { mean: number; spread: number } {
  const crop = `crop=${size.width}:${size.height}:${pos.x}:${pos.y}`;
  const out = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', crop, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], {
    maxBuffer: 16 << 20,
  });
  if (out.status !== 0 || out.stdout.length === 0) throw new Error(`no pixels in ${file}: ${out.stderr}`);
  let sum = 0;
  let min = 255;
  let max = 0;
  for (const v of out.stdout) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { mean: sum / out.stdout.length, spread: max - min };
}
