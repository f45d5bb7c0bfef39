// The retention console in real Chromium (issue 16 §4): two signed agreements archived as records,
// the clock 31 days on; the admin sets the agreement retention to 30 days (the preview then lists
// both), places a legal hold with its reason on one (the preview drops it, the holds table names
// the reason, who and when), runs the deletion: the other record's files are gone from disk, the
// held one's stay. An auditor sees the same console without the controls.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archivedCeremony, type ArchivedCeremony } from '../../server/test-support/archived-ceremony.js';
import { blobFile } from '../../server/test-support/blob-files.js';
import { TestServer } from '../../server/test-support/TestServer.js';
import { lastTimestamp } from '../../signing/sign/ltv-renewal.js';
import { launchChromium } from '../media/browser.js';
import { ensureClientBuilt } from '../media/client-build.js';
import { login, person, poll, screenshot } from '../support/people.js';

const DAY_MS = 86_400_000;
let offsetMs = 0;
let server: TestServer;
let browser: Browser;
let expiring: ArchivedCeremony;
let held: ArchivedCeremony;

beforeAll(async () => {
  [server, browser] = await Promise.all([
    TestServer.start({
      seed: true,
      record: true,
      clientDir: ensureClientBuilt(),
      clock: () => new Date(Date.now() + offsetMs),
    }),
    launchChromium(),
  ]);
  expiring = await archivedCeremony(server);
  held = await archivedCeremony(server);
  offsetMs = 31 * DAY_MS;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

const numberOf = async (r: ArchivedCeremony) => (await server.app.services.records.store.get(r.recordId)).number;
const filesOf = async (r: ArchivedCeremony) => {
  const { records, db, blobs, recording } = server.app.services;
  const rows = await db.all<{ s: string }>(
    'SELECT current_sha256 AS s FROM documents WHERE id = ? UNION SELECT original_sha256 FROM documents WHERE id = ?',
    [r.documentId, r.documentId],
  );
  expect(await records.store.getAny(r.recordId)).toBeDefined();
  return [...rows.map((x) => blobFile(blobs, x.s)), (await recording.directory(r.sessionId))!];
};

describe('retention console', () => {
  let page: Page;

  it('the admin shortens a retention period: the preview lists what would go, with its bytes', async () => {
    page = (await person(browser)).page;
    await login(page, server.url, 'admin', /\/admin$/);
    await page.getByRole('link', { name: '留存管理' }).click();
    await page.waitForURL(/\/retention$/);
    await poll(() => page.locator('h1').textContent()).toBe('档案留存管理');
    const totals = page.getByTestId('deletion-totals');
    await poll(() => totals.textContent()).toContain('移除 0 条记录');
    const row = page.getByTestId('retention-ceremony:agreement');
    await row.getByRole('spinbutton').fill('30');
    await row.getByRole('button', { name: '保存' }).click();
    await poll(() => page.getByTestId('doomed-row').count()).toBe(2);
    await poll(() => totals.textContent()).toContain('移除 2 条记录');
    expect(await totals.textContent()).toMatch(/录像文件 \d+ 个（\d+\.\d\d MiB）/);
  });

  it('a legal hold needs a reason; held, the record leaves the preview and is listed with who and when', async () => {
    const holds = page.locator('section[aria-labelledby="holds-title"]');
    await holds.getByLabel('按记录编号、标题或姓名查找').fill(await numberOf(held));
    await holds.getByRole('button', { name: '查找' }).click();
    const hold = page.getByTestId('hold-candidates').getByRole('button', { name: '设置保全' });
    await hold.waitFor();
    expect(await hold.isDisabled()).toBe(true); // no reason yet
    await holds.getByLabel('原因（设置或解除保全时必填）').fill('诉讼保全（2026）民初 123 号');
    await hold.click();
    const heldRow = page.getByTestId('hold-row');
    await poll(() => heldRow.count()).toBe(1);
    expect(await heldRow.textContent()).toContain('诉讼保全（2026）民初 123 号');
    expect(await heldRow.textContent()).toContain(await numberOf(held));
    expect(await heldRow.textContent()).toMatch(/user:/);
    await poll(() => page.getByTestId('doomed-row').count()).toBe(1);
    expect(await page.getByTestId('doomed-row').textContent()).toContain(await numberOf(expiring));
    await screenshot(page, 'admin-retention');
  });

  it('an auditor reads the same console without the controls', async () => {
    const auditor = (await person(browser)).page;
    await login(auditor, server.url, 'auditor', /\/audit$/);
    await auditor.goto(`${server.url}/retention`);
    await poll(() => auditor.getByTestId('doomed-row').count()).toBe(1);
    await poll(() => auditor.getByTestId('hold-row').count()).toBe(1);
    expect(await auditor.getByRole('button', { name: '立即执行删除' }).count()).toBe(0);
    expect(await auditor.getByRole('button', { name: '保存' }).count()).toBe(0);
    await auditor.context().close();
  });

  it('deleting now destroys what the preview listed and leaves the held record', async () => {
    const doomedFiles = await filesOf(expiring);
    const heldFiles = await filesOf(held);
    expect([...doomedFiles, ...heldFiles].filter((f) => !existsSync(f))).toEqual([]);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: '立即执行删除' }).click();
    await poll(() => page.getByTestId('deletion-done').textContent()).toMatch(/已删除 1 条记录/);
    await poll(() => page.getByTestId('doomed-row').count()).toBe(0);
    expect(doomedFiles.filter((f) => existsSync(f))).toEqual([]);
    expect(heldFiles.filter((f) => !existsSync(f))).toEqual([]);
    const audit = (await server.app.services.audit.list({ action: 'record.deleted', limit: 5, offset: 0 })).entries;
    expect(audit.map((e) => [e.target, e.actor.startsWith('user:')])).toEqual([[`record:${expiring.recordId}`, true]]);
    await screenshot(page, 'admin-retention-deleted');
  });
});

describe('long-term validation renewal on the record page', () => {
  it('the held record, its timestamp renewed, lists the renewal (date, TSA, reason)', async () => {
    const { ltv, documents, blobs } = server.app.services;
    const pdf = await blobs.get((await documents.get(held.documentId)).currentSha256);
    const notAfter = lastTimestamp(pdf)!.tsa!.notAfter;
    offsetMs = Date.parse(notAfter) - 60 * DAY_MS - Date.now();
    expect((await ltv.run()).map((r) => r.reason)).toEqual(['tsa_certificate_expiring']);
    const auditor = (await person(browser)).page;
    await login(auditor, server.url, 'auditor', /\/audit$/);
    await auditor.goto(`${server.url}/audit/records/${held.recordId}`);
    const list = auditor.getByTestId('ltv-renewals');
    await poll(() => list.locator('li').count()).toBe(1);
    expect(await list.textContent()).toMatch(/时间戳证书即将到期 · Tongban Platform TSA · SHA-256/);
    await list.scrollIntoViewIfNeeded();
    await screenshot(auditor, 'record-ltv-renewals');
  });
});
