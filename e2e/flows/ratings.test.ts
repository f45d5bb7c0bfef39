// 好差评 in real Chromium against `tongban demo` (issue 16 §6): the applicant joins a case on a phone,
// the case ends (the originating clerk withdraws it, which ends the session and the guest login),
// the phone moves to the rating page and rates with the pass it kept; the admin's statistics
// dashboard then shows that rating among the demo's past ones, with the figures of the API.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoSession } from '../support/demo-session.js';
import { login, phone, poll, screenshot } from '../support/people.js';

const demo = demoSession();

/** A same-origin JSON request from a signed-in page (its cookie, its Origin). */
function call<T>(page: Page, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ([m, p, b]) => {
      const res = await fetch(p, {
        method: m,
        headers: b === undefined ? {} : { 'content-type': 'application/json' },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      if (!res.ok) throw new Error(`${m} ${p}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    [method, path, body] as const,
  ) as Promise<T>;
}

describe('好差评: a rating on the phone flows into the dashboard', () => {
  const comment = '视频办理很方便，十分钟就办好了。';
  let caseNumber = '';

  it('the applicant rates on the phone after the case has ended', async () => {
    const xingren = await demo.someone();
    await login(xingren, demo.url, 'clerk.xingren', /\/desk$/);
    const cixi = await demo.someone();
    await login(cixi, demo.url, 'clerk.cixi', /\/desk$/);
    const created = await call<{ id: string; number: string }>(xingren, 'POST', '/api/cases', {
      matterId: 'shebao-tingjiao',
      handlingSite: 'cixi',
      applicant: { name: '韦小兰', idNumber: '522301199203041234' },
    });
    caseNumber = created.number;
    await call(cixi, 'POST', `/api/cases/${created.id}/accept`);
    const { code } = await call<{ code: string }>(cixi, 'POST', `/api/cases/${created.id}/invitations`);

    const applicant = await demo.someone(phone);
    await applicant.goto(`${demo.url}/join/${code}`);
    await applicant.getByTestId('join-button').click();
    await applicant.waitForURL(/\/room\//);
    // The room page keeps the rating pass while the guest login lasts.
    await poll(() =>
      applicant.evaluate((id) => localStorage.getItem(`tongban.rating.${id}`) !== null, created.id),
    ).toBe(true);

    await call(xingren, 'POST', `/api/cases/${created.id}/cancel`, { reason: '申请人已在本地办结' });
    await applicant.waitForURL(new RegExp(`/rate/${created.id}$`), { timeout: 30_000 });
    await applicant.getByRole('heading', { name: '服务评价' }).waitFor();
    expect(await applicant.getByTestId('rating-submit').isDisabled()).toBe(true);
    await applicant.getByTestId('rating-satisfied').check();
    await applicant.getByTestId('rating-comment').fill(comment);
    const overflow = await applicant.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(applicant, 'rating-page');
    await applicant.getByTestId('rating-submit').click();
    await applicant.getByTestId('rating-thanks').waitFor();
    // The pass is used up: reloading the page no longer offers the form.
    await applicant.reload();
    await applicant.getByTestId('rating-no-pass').waitFor();
  });

  it("the admin's dashboard shows the rating and the API's figures, in Chinese and English", async () => {
    const admin = await demo.someone();
    await login(admin, demo.url, 'admin', /\/admin$/);
    await admin.getByRole('link', { name: '统计与评价' }).click();
    await admin.waitForURL(/\/stats$/);
    const row = admin.locator(`[data-testid="recent-rating"][data-number="${caseNumber}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('满意');
    expect(await row.textContent()).toContain(comment);
    const api = await call<{ total: { cases: number; ratings: { count: number } }; groups: { key: string }[] }>(
      admin,
      'GET',
      '/api/stats?by=month',
    );
    // The demo's past months plus today's case.
    expect(api.groups.length).toBeGreaterThanOrEqual(4);
    expect(await admin.getByTestId('stats-rating-count').textContent()).toBe(String(api.total.ratings.count));
    await poll(() => admin.getByTestId('stats-row').count()).toBe(api.groups.length);
    await poll(() => admin.locator('[data-testid="chart-ratings"] svg path').count()).toBeGreaterThan(5);
    await poll(() => admin.locator('[data-testid="chart-volume"] svg path').count()).toBeGreaterThan(5);

    // A matter filter: the figures of that matter alone.
    await admin.getByTestId('stats-by').selectOption('site');
    await admin.getByTestId('stats-matter').selectOption('shebao-tingjiao');
    await admin.getByTestId('stats-apply').click();
    const matter = await call<{ total: { ratings: { count: number } }; groups: { key: string }[] }>(
      admin,
      'GET',
      '/api/stats?by=site&matter=shebao-tingjiao',
    );
    expect(matter.total.ratings.count).toBeLessThan(api.total.ratings.count);
    await poll(() => admin.getByTestId('stats-rating-count').textContent()).toBe(String(matter.total.ratings.count));
    await poll(() => admin.getByTestId('stats-row').count()).toBe(matter.groups.length);
    await admin.getByTestId('stats-by').selectOption('month');
    await admin.getByTestId('stats-matter').selectOption('');
    await admin.getByTestId('stats-apply').click();
    await poll(() => admin.getByTestId('stats-rating-count').textContent()).toBe(String(api.total.ratings.count));
    await screenshot(admin, 'stats-dashboard');

    // The export link carries the filters; the CSV has the documented header.
    const href = await admin.getByTestId('stats-export').getAttribute('href');
    const csv = await admin.evaluate(async (h) => (await fetch(h!)).text(), href);
    expect(csv.split('\r\n')[0]).toContain('办件编号,事项编码,事项名称,办理部门');
    expect(csv).toContain(caseNumber);

    await admin.getByRole('button', { name: 'English' }).click();
    await poll(() => admin.locator('h1').textContent()).toBe('Statistics and ratings');
    expect(await row.textContent()).toContain('Satisfied');
    await screenshot(admin, 'stats-dashboard-en');
  });
});
