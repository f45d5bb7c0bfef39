// The pre-join check and the quality/audio-only UI in real Chromium pages (fake camera and
// microphone): the check shows the camera's picture, a moving microphone level and a bandwidth
// figure from the SFU probe; in the room every tile carries a quality badge; the clerk of a site
// capped under the audio-only floor is told the room went audio-only (avatars instead of pictures),
// and the notice goes away once the cap is lifted. Screenshots: prejoin.png, room-quality.png.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulcastLayers } from '../../protocol/media.js';
import { screenshot } from '../support/people.js';
import { launchChromium, waitForDecoding } from './browser.js';
import { startTestMediaServer, type TestMediaServer } from './test-server.js';

const sessionId = 'sess-quality';
let server: TestMediaServer;
let browser: Browser;

beforeAll(async () => {
  // xingren's 80 kbit/s is under the 150 kbit/s floor: its downlink goes audio-only.
  server = await startTestMediaServer(
    { [sessionId]: ['clerk.cixi', 'clerk.xingren'] },
    { siteBitrateCaps: { xingren: 80 }, audioOnlyFloorKbps: 150 },
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(as: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: 'tb-test-as', value: as, domain: '127.0.0.1', path: '/' }]);
  const page = await context.newPage();
  await page.goto(`${server.url}/room/${sessionId}`);
  return page;
}

describe('pre-join check and connection quality', () => {
  it('shows camera, microphone level and bandwidth before consent, then quality on every tile', async () => {
    const cixi = await open('clerk.cixi');
    await cixi.getByTestId('prejoin').waitFor();
    // The camera's picture plays in the preview.
    await cixi.waitForFunction(() => {
      const v = document.querySelector<HTMLVideoElement>('[data-testid="prejoin-preview"]');
      return !!v && v.videoWidth > 0 && v.readyState >= 2 && v.currentTime > 0;
    });
    // Chromium's fake microphone beeps: the meter moves.
    await cixi.waitForFunction(
      () => Number(document.querySelector<HTMLMeterElement>('[data-testid="prejoin-level"]')?.value ?? 0) > 0.005,
      undefined,
      { timeout: 15_000 },
    );
    const kbps = Number(
      await cixi
        .getByTestId('prejoin-bandwidth')
        .getAttribute('data-kbps', { timeout: 20_000 })
        .then(async (v) => {
          if (v !== null) return v;
          await cixi.waitForSelector('[data-testid="prejoin-bandwidth"][data-kbps]', { timeout: 20_000 });
          return cixi.getByTestId('prejoin-bandwidth').getAttribute('data-kbps');
        }),
    );
    // Loopback is a perfect link: the probe reads at least what the top simulcast layer and audio need
    // (it once read the fake camera's ~150 kbit/s of VP8 and advised low bandwidth).
    expect(kbps).toBeGreaterThanOrEqual(simulcastLayers[2].maxBitrate / 1000 + 50);
    await cixi.waitForSelector('[data-testid="prejoin-advice"] li');
    const advice = await cixi
      .locator('[data-testid="prejoin-advice"] li')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-advice')));
    expect(advice).not.toContain('prejoin.noCamera');
    expect(advice).not.toContain('prejoin.silentMic');
    expect(advice).not.toContain('prejoin.lowBandwidth');
    expect(advice).not.toContain('prejoin.probeFailed');
    const shown = await cixi.getByTestId('prejoin-bandwidth').textContent();
    process.stdout.write(`prejoin: probe ${kbps} kbit/s (shown "${shown}"); advice ${advice.join(', ')}\n`);
    await screenshot(cixi, 'prejoin');
    await cixi.getByTestId('consent-accept').click();

    const xingren = await open('clerk.xingren');
    await xingren.getByTestId('prejoin').waitFor();
    await xingren.getByTestId('consent-accept').click({ timeout: 60_000 });
    await waitForDecoding(cixi, ['user:clerk.xingren'], 30_000);

    // Every tile on cixi's page carries a quality badge (its own and xingren's).
    await cixi.waitForFunction(
      () => document.querySelectorAll('[data-testid="quality-badge"]').length === 2,
      undefined,
      {
        timeout: 20_000,
      },
    );
    const levels = await cixi
      .locator('[data-testid="quality-badge"]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-quality'), e.textContent]));
    for (const [level, text] of levels) {
      expect(['good', 'fair', 'poor']).toContain(level);
      expect(text).toMatch(/网络(良好|一般|较差)/);
    }

    // xingren's downlink is capped under the floor: its page goes audio-only and says so.
    await xingren.getByTestId('audio-only-notice').waitFor({ timeout: 30_000 });
    await xingren.getByTestId('tile-avatar').waitFor();
    expect(await xingren.getByTestId('audio-only-notice').textContent()).toContain('仅保留声音');
    // The others see xingren as poor (audio only), in their language.
    await cixi.waitForSelector('[data-peer-id="user:clerk.xingren"] [data-quality="poor"]', { timeout: 15_000 });
    await screenshot(cixi, 'room-quality');
    await screenshot(xingren, 'room-audio-only');

    const room = (await server.media.existingRoom(sessionId))!;
    await room.setReceiveCap('user:clerk.xingren', null);
    const lifted = performance.now();
    const trace: (number | null)[] = [];
    const tracing = setInterval(
      () => void room.stats('user:clerk.xingren').then((s) => trace.push(s.availableKbps)),
      1000,
    );
    try {
      await xingren.getByTestId('audio-only-notice').waitFor({ state: 'detached', timeout: 90_000 });
    } finally {
      clearInterval(tracing);
      process.stdout.write(
        `audio-only release: estimate towards xingren after the lift (kbit/s/s): ${trace.join(' ')}\n`,
      );
    }
    process.stdout.write(`audio-only released ${Math.round(performance.now() - lifted)} ms after the cap was lifted\n`);
    await waitForDecoding(xingren, ['user:clerk.cixi'], 20_000);
    await xingren.getByTestId('tile-avatar').waitFor({ state: 'detached' });
  });
});
