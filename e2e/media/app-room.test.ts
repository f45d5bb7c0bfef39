// The whole app: HTTPS with the platform certificate, real logins, a real case and invitation.
// 慈溪's clerk handles, 兴仁's clerk and the applicant (invitation link) join from 兴仁. Each
// browser decodes the other two; the recording is sealed by the platform seal and verifies over
// HTTP and with `tongban record verify`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitForDecoding } from './browser.js';
import { applicantRoomPage, openInvitedSession, staffRoomPage, startApp, type RunningApp } from './app-server.js';

let app: RunningApp;
let browser: Browser;
let sessionId: string;
let inviteUrl: string;

beforeAll(async () => {
  app = await startApp();
  browser = await launchChromium(['--ignore-certificate-errors']);
  ({ sessionId, inviteUrl } = await openInvitedSession(app, { name: '陈静', idNumber: '522501199001011234' }));
});

afterAll(async () => {
  await browser?.close();
  await app?.dispose();
});

const staffPage = (username: string) => staffRoomPage(browser, app, username, sessionId);

describe('a real session in the real app', () => {
  it('three browsers (two clerks and the invited applicant) decode audio and video from both others', async () => {
    const cixi = await staffPage('clerk.cixi');
    const xingren = await staffPage('clerk.xingren');
    const { page: applicant, guestId } = await applicantRoomPage(browser, inviteUrl, sessionId);
    const pages: Record<string, Page> = {
      'user:clerk.cixi': cixi,
      'user:clerk.xingren': xingren,
      [`guest:${guestId}`]: applicant,
    };
    const ids = Object.keys(pages);
    for (const who of ids) {
      const summary = await waitForDecoding(
        pages[who]!,
        ids.filter((p) => p !== who),
      );
      console.log(
        `[app] ${who}: frames decoded ${JSON.stringify(summary.frames)} audio packets ${JSON.stringify(summary.audioPackets)}`,
      );
    }
    for (const page of Object.values(pages)) await page.getByTestId('recording-indicator').first().waitFor();
    await new Promise((r) => setTimeout(r, 5_000));
  });

  it('the recording is sealed by the platform seal and verifies over HTTP and on the command line', async () => {
    await app.app.services.media?.endSession(sessionId);
    const cixi = await app.login('clerk.cixi');
    const res = await cixi.get(`/api/sessions/${sessionId}/recording/verification`);
    expect(res.status).toBe(200);
    const v = res.json<{ valid: boolean; seal: { state: string }; segmentCount: number; head: string }>();
    console.log(`[app] GET /api/sessions/${sessionId}/recording/verification → ${JSON.stringify(v)}`);
    expect(v).toMatchObject({ valid: true, seal: { state: 'valid' } });
    expect(v.segmentCount).toBeGreaterThanOrEqual(3);
    const auditor = await app.login('auditor');
    // The auditor's view: the grid video renders in the background, then plays from the API.
    let composite: { status: string; progress: number; url?: string } | undefined;
    // Rendering re-encodes every participant onto the session's timeline: allow minutes on a busy machine.
    for (let i = 0; i < 360 && composite?.status !== 'ready'; i++) {
      const rec = await auditor.get(`/api/sessions/${sessionId}/recording`);
      expect(rec.status).toBe(200);
      composite = rec.json<{ composite?: typeof composite }>().composite;
      if (composite?.status === 'failed') break;
      if (composite?.status !== 'ready') await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`[app] composite: ${JSON.stringify(composite)}`);
    expect(composite).toMatchObject({ status: 'ready', progress: 1 });
    const mp4 = await auditor.get(composite!.url!);
    expect(mp4.status).toBe(200);
    expect(mp4.headers['content-type']).toContain('video/mp4');
    expect(mp4.body.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const stranger = await app.login('clerk.ninghai');
    expect((await stranger.get(`/api/sessions/${sessionId}/recording/verification`)).status).toBe(403);

    const cli = spawnSync(
      'node',
      [join(import.meta.dirname, '../../bin/tongban.cjs'), 'record', 'verify', sessionId, '--data', app.dataDir],
      { encoding: 'utf8' },
    );
    console.log(`[app] $ tongban record verify ${sessionId}\n${cli.stdout}${cli.stderr}`);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('seal: valid');
  }, 300_000);
});
