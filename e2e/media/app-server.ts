// The real Tongban app (createApp: HTTPS with the platform certificate, every feature with live
// video and the recorder, the built client) and the demo data on a temp data directory.
import type { Browser, Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../server/app/create-app.js';
import { loadConfig } from '../../server/kernel/config.js';
import { DEMO_PASSWORD } from '../../server/demo/demo-data.js';
import { seedDemo } from '../../server/demo/seed-demo.js';
import { HttpClient } from '../../server/test-support/HttpClient.js';
import { testPkiTuning } from '../../server/test-support/pki-tuning.js';
import { testCamera } from './browser.js';
import { ensureClientBuilt } from './client-build.js';

export interface RunningApp {
  readonly app: App;
  readonly url: string;
  readonly dataDir: string;
  readonly rootPem: string;
  login(username: string): Promise<HttpClient>;
  client(): HttpClient;
  dispose(): Promise<void>;
}

export async function startApp(): Promise<RunningApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tongban-media-app-'));
  const config = loadConfig({
    flags: {
      dataDir,
      port: 0,
      host: '127.0.0.1',
      clientDir: ensureClientBuilt(),
      media: { workers: 1, camera: testCamera },
    },
  });
  const app = await createApp({ config, pkiTuning: testPkiTuning, log: () => undefined });
  await seedDemo(app.services);
  const url = await app.start();
  const rootPem = await app.services.pki.rootCertificatePem();
  const client = () => new HttpClient(url, rootPem);
  return {
    app,
    url,
    dataDir,
    rootPem,
    client,
    async login(username) {
      const c = client();
      const res = await c.post('/api/auth/login', { username, password: DEMO_PASSWORD });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
      return c;
    },
    async dispose() {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Flow A up to the room: the 兴仁 clerk opens a 社保停缴 case for `applicant`, the 慈溪 clerk accepts it
 * (a session starts) and the 兴仁 clerk invites the applicant.
 */
export async function openInvitedSession(
  app: RunningApp,
  applicant: { name: string; idNumber: string },
): Promise<{ sessionId: string; inviteUrl: string }> {
  const xingren = await app.login('clerk.xingren');
  const cixi = await app.login('clerk.cixi');
  const created = await xingren.post('/api/cases', { matterId: 'shebao-tingjiao', handlingSite: 'cixi', applicant });
  if (created.status !== 201) throw new Error(`case: ${created.status} ${created.text}`);
  const caseId = created.json<{ id: string }>().id;
  const accepted = await cixi.post(`/api/cases/${caseId}/accept`);
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${accepted.text}`);
  const invitation = await xingren.post(`/api/cases/${caseId}/invitations`);
  if (invitation.status !== 201) throw new Error(`invitation: ${invitation.status} ${invitation.text}`);
  return {
    sessionId: accepted.json<{ sessionId: string }>().sessionId,
    inviteUrl: invitation.json<{ url: string }>().url,
  };
}

/** A clerk logged in through the form, in the session's room, the recording notice acknowledged. */
export async function staffRoomPage(
  browser: Browser,
  app: RunningApp,
  username: string,
  sessionId: string,
  viewport?: { width: number; height: number },
): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'zh-CN', ...(viewport ? { viewport } : {}) })).newPage();
  await page.goto(`${app.url}/`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => u.pathname !== '/' && u.pathname !== '/login');
  await page.goto(`${app.url}/room/${sessionId}`);
  await page.getByTestId('consent-accept').click();
  return page;
}

/**
 * The invited applicant joined through the invitation page, consent given; with their guest id.
 * `initScript` runs in the page before the app's own scripts (a test's instrumentation).
 */
export async function applicantRoomPage(
  browser: Browser,
  inviteUrl: string,
  sessionId: string,
  initScript?: () => void,
): Promise<{ page: Page; guestId: string }> {
  const context = await browser.newContext({ locale: 'zh-CN' });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  await page.goto(inviteUrl);
  await page.getByTestId('join-button').click();
  await page.waitForURL(`**/room/${sessionId}`);
  await page.getByTestId('consent-accept').click();
  const guestId = await page.evaluate(
    async () => ((await (await fetch('/api/me')).json()) as { guestId: string }).guestId,
  );
  return { page, guestId };
}
