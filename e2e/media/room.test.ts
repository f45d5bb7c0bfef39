// Three real browsers in one session on the real MediaService and signalling: everyone decodes
// everyone, a late joiner sees video at once, and a killed worker is replaced without user action.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitForDecoding } from './browser.js';
import { ensureClientBuilt } from './client-build.js';
import { startTestMediaServer, type TestMediaServer } from './test-server.js';

const sessionId = 'sess-room-1';
const cixi = 'user:clerk.cixi';
const xingren = 'user:clerk.xingren';
const applicant = `guest:${sessionId}`;

let server: TestMediaServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  ensureClientBuilt();
  server = await startTestMediaServer({ [sessionId]: ['clerk.cixi', 'clerk.xingren'] });
  browser = await launchChromium();
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
  return page;
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
    await context.addCookies([{ name: 'tb-test-as', value: encodeURIComponent(applicant), domain: '127.0.0.1', path: '/' }]);
    const page = await context.newPage();
    pages[applicant] = page;
    await page.goto(`${server.url}/room/${sessionId}`);
    await page.getByTestId('consent-accept').waitFor();
    // performance.now() counts from the navigation: page load, join, transports and first frames.
    const ms = await page.evaluate(async (peers) => {
      for (;;) {
        const stats = (await window.__tongbanRoom?.stats()) ?? [];
        if (peers.every((p) => stats.some((s) => s.peerId === p && s.kind === 'video' && s.framesDecoded > 0))) {
          return performance.now();
        }
        if (performance.now() > 10_000) return Infinity;
        await new Promise((r) => setTimeout(r, 20));
      }
    }, [cixi, xingren]);
    console.log(`late joiner: first video frames from both clerks ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(2_000);
    await page.getByTestId('consent-accept').click();
  });

  it('each page decodes audio and video from both others', async () => {
    const everyone = [cixi, xingren, applicant];
    for (const who of everyone) {
      const others = everyone.filter((p) => p !== who);
      const summary = await waitForDecoding(pages[who]!, others);
      console.log(`${who}: frames decoded ${JSON.stringify(summary.frames)} audio packets ${JSON.stringify(summary.audioPackets)}`);
      for (const o of others) expect(summary.frames[o]).toBeGreaterThan(0);
      await expect.poll(() => pages[who]!.getByTestId('video-tile').count()).toBe(3);
    }
    await expect.poll(() => pages[applicant]!.getByTestId('video-tile').filter({ hasText: '慈溪窗口 王敏' }).count()).toBe(1);
  });

  it('a killed worker is replaced and every page decodes again without user action', async () => {
    const [worker] = await server.media.pool.workers();
    const rebuilt = new Promise<void>((r) => server.media.once('rebuild', () => r()));
    process.kill(worker!.pid, 'SIGKILL');
    await rebuilt;
    const everyone = [cixi, xingren, applicant];
    for (const who of everyone) {
      const summary = await waitForDecoding(pages[who]!, everyone.filter((p) => p !== who), 30_000);
      console.log(`after rebuild ${who}: frames decoded ${JSON.stringify(summary.frames)}`);
    }
    const [fresh] = await server.media.pool.workers();
    expect(fresh!.pid).not.toBe(worker!.pid);
  });
});
