// The auditor verifies a whole search result in Chromium (issue 16 §3): three archived ceremonies,
// one with its recording changed on disk; "verify all results" shows the progress, then the table
// with the damaged record marked, and the CSV downloads with its BOM and the documented columns.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS } from '../../server/features/records/index.js';
import { archivedCeremony } from '../../server/test-support/archived-ceremony.js';
import { launchChromium } from '../media/browser.js';
import { startApp, type RunningApp } from '../media/app-server.js';
import { login, person, poll, screenshot } from '../support/people.js';

let running: RunningApp;
let browser: Browser;
let auditor: Page;
const sessions: string[] = [];

beforeAll(async () => {
  [running, browser] = await Promise.all([startApp(), launchChromium()]);
  for (let i = 0; i < 3; i++) sessions.push((await archivedCeremony(running)).sessionId);
  const segments = join((await running.app.services.recording.directory(sessions[0]!))!, 'guest_applicant');
  writeFileSync(join(segments, readdirSync(segments).sort()[0]!), 'changed after sealing');
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await running?.dispose();
});

describe('audit: verify all results', () => {
  it('verifies every record of the search on the server, shows the table and downloads the CSV', async () => {
    auditor = (await person(browser)).page;
    await login(auditor, running.url, 'auditor', /\/audit$/);
    await auditor.getByTestId('record-search').fill('通办合作协议');
    await auditor.getByTestId('record-search-submit').click();
    await poll(() => auditor.getByTestId('record-row').count()).toBe(3);
    await auditor.getByTestId('verify-all').click();
    await auditor.getByTestId('verify-all-summary').waitFor({ timeout: 60_000 });
    expect(await auditor.getByTestId('verify-all-summary').textContent()).toBe('共 3 份档案：2 份有效，1 份无效');
    const rows = auditor.getByTestId('verify-row');
    expect(await rows.count()).toBe(3);
    expect(await auditor.locator('[data-testid="verify-row"][data-valid="false"]').count()).toBe(1);
    const bad = auditor.locator('[data-testid="verify-row"][data-valid="false"]');
    expect(await bad.textContent()).toMatch(/受损.*无效.*recording: /);
    await screenshot(auditor, 'audit-verify-all');

    const download = auditor.waitForEvent('download', { timeout: 60_000 });
    await auditor.getByTestId('verify-all-csv').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^record-verification-[0-9a-f-]+\.csv$/);
    const bytes = readFileSync((await file.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines.slice(1).map((l) => l.split(',')[8])).toEqual(expect.arrayContaining(['valid', 'valid', 'invalid']));
    expect(lines).toHaveLength(4);
  });
});
