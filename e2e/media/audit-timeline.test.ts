// Issue 16 §2 in the browser: a flow A case recorded for real (headless participants in the real
// app), archived; the auditor opens the record, the playback video carries the timeline, and
// clicking a mark (or choosing it with the keyboard) seeks the video there — the video's
// currentTime is sampled in the page. Screenshot: e2e/artifacts/audit-timeline.png.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLiveRoom, stopSyntheticMedia } from '../../server/test-support/live-room.js';
import { recordedRecord, type RecordedRecord } from '../../server/test-support/recorded-record.js';
import { login, person, screenshot } from '../support/people.js';
import { launchChromium } from './browser.js';
import { startApp, type RunningApp } from './app-server.js';

let app: RunningApp;
let browser: Browser;
let run: RecordedRecord;
let page: Page;

beforeAll(async () => {
  app = await startApp();
  browser = await launchChromium(['--ignore-certificate-errors']);
  run = await recordedRecord(app, (u) => app.login(u), { name: '周九', idNumber: '522501199505051234' }, 6_000);
}, 480_000);

afterAll(async () => {
  await closeLiveRoom(run?.bots ?? []);
  stopSyntheticMedia();
  await browser?.close();
  await app?.dispose();
});

/** The playback video's state, read in the page. */
const videoState = (p: Page) =>
  p.getByTestId('playback').evaluate((v: HTMLVideoElement) => ({
    currentTime: v.currentTime,
    duration: v.duration,
    readyState: v.readyState,
    seeking: v.seeking,
  }));

/** Waits for the seek to land, then samples currentTime a few times (the video is paused: it stays). */
async function landedAt(p: Page): Promise<number[]> {
  await expect.poll(async () => (await videoState(p)).seeking, { timeout: 20_000 }).toBe(false);
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    samples.push((await videoState(p)).currentTime);
    await p.waitForTimeout(200);
  }
  return samples;
}

describe('the auditor timeline in the browser', () => {
  it('the record page shows the playback video with its marks (zh labels)', async () => {
    ({ page } = await person(browser));
    await login(page, app.url, 'auditor', /\/audit$/);
    await page.goto(`${app.url}/audit/records/${run.recordId}`);
    await page.getByTestId('timeline-mark').first().waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await videoState(page)).readyState, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    const state = await videoState(page);
    console.log(`[timeline] video: ${JSON.stringify(state)}`);
    expect(state.duration).toBeGreaterThan(run.snapshots.id.offsetMs / 1000);
    const kinds = await page.getByTestId('timeline-mark').evaluateAll((els) => els.map((e) => e.dataset.kind));
    expect(kinds).toEqual(expect.arrayContaining(['join', 'consent', 'snapshot_face', 'snapshot_id', 'signature']));
    await expect.poll(() => page.getByTestId('timeline-marks').textContent()).toContain('证件截图');
  });

  it('clicking a mark seeks the video to its offset (within 1 s)', async () => {
    const mark = page.locator('[data-testid="timeline-mark"][data-kind="snapshot_id"]');
    const offsetMs = Number(await mark.getAttribute('data-offset-ms'));
    expect(offsetMs).toBe(run.snapshots.id.offsetMs);
    await mark.click();
    const samples = await landedAt(page);
    console.log(`[timeline] clicked snapshot_id @${offsetMs} ms → currentTime ${samples.join(', ')}`);
    for (const t of samples) expect(Math.abs(t - offsetMs / 1000)).toBeLessThanOrEqual(1);
    await mark.scrollIntoViewIfNeeded();
    await screenshot(page, 'audit-timeline');
  });

  it('the marks are reachable by keyboard: arrow keys move, Enter seeks', async () => {
    const marks = page.getByTestId('timeline-mark');
    await marks.first().focus();
    const target = await marks.evaluateAll((els) => els.findIndex((e) => e.dataset.kind === 'snapshot_face'));
    for (let i = 0; i < target; i++) await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.kind);
    expect(focused).toBe('snapshot_face');
    await page.keyboard.press('Enter');
    const samples = await landedAt(page);
    const offsetMs = run.snapshots.face.offsetMs;
    console.log(`[timeline] Enter on snapshot_face @${offsetMs} ms → currentTime ${samples.join(', ')}`);
    for (const t of samples) expect(Math.abs(t - offsetMs / 1000)).toBeLessThanOrEqual(1);
  });
});
