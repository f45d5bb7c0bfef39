// The pages around the flows, in real Chromium against `tongban demo`: Chinese by default with an
// English switch that sticks, login errors in words, the applicant's join page on a phone, a
// signed-out visit to a staff page, unknown pages, the admin page, and an account's first login
// (its own password first, then its own signing PIN with the admin's enrolment code).
import { describe, expect, it } from 'vitest';
import { demoSession } from '../support/demo-session.js';
import { DEMO_PASSWORD, login, poll, phone, screenshot } from '../support/people.js';

const demo = demoSession();
const someone = demo.someone;

describe('pages', () => {
  it('login is in Chinese first; a wrong password is explained in words', async () => {
    const page = await someone();
    await page.goto(`${demo.url}/desk`);
    await poll(() => page.locator('h1').textContent()).toBe('工作人员登录');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await page.getByTestId('login-username').fill('clerk.cixi');
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    expect(await page.getByTestId('login-error').textContent()).toBe('用户名或密码错误。');
    await screenshot(page, 'login-error');
  });

  it('the English switch translates the page and is remembered after a reload', async () => {
    const page = await someone();
    await page.goto(`${demo.url}/`);
    await page.getByRole('button', { name: 'English' }).click();
    await poll(() => page.locator('h1').textContent()).toBe('Staff login');
    await page.reload();
    await poll(() => page.locator('h1').textContent()).toBe('Staff login');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.getByLabel('Username').fill('clerk.cixi');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/desk$/);
    await poll(() => page.locator('h1').textContent()).toBe('Service desk');
    await screenshot(page, 'desk-english');
  });

  it('a used or wrong invitation code tells the applicant what to do, on a phone', async () => {
    const page = await someone(phone);
    await page.goto(`${demo.url}/join/NOSUCHCODE`);
    // Opening the link redeems nothing (link previewers open it too): the applicant clicks to join.
    await page.getByTestId('join-button').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByTestId('join-button').click();
    await poll(() => page.getByRole('alert').textContent()).toBe('邀请码无效或已过期。');
    expect(await page.locator('body').textContent()).toContain('请向窗口工作人员索取新的邀请链接');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'join-invalid-phone');
  });

  it('an unknown page says so instead of going blank', async () => {
    const page = await someone();
    await login(page, demo.url, 'auditor', /\/audit$/);
    await page.goto(`${demo.url}/no/such/page`);
    await poll(() => page.locator('h1').textContent()).toBe('页面不存在');
  });

  it('the admin sees sites, partnerships and accounts, and creates an account', async () => {
    const page = await someone();
    await login(page, demo.url, 'admin', /\/admin$/);
    const sites = page.locator('#sites-title + .table-wrap tbody tr');
    await poll(() => sites.count()).toBe(11);
    await poll(() => page.locator('.partnerships li').count()).toBe(5);
    const users = page.locator('section[aria-labelledby="users-title"] tbody tr');
    await poll(() => users.count()).toBeGreaterThanOrEqual(8);
    const form = page.getByRole('form', { name: '新建账号' });
    await form.getByLabel('账号').fill('clerk.e2e');
    await form.getByLabel('名称').fill('测试窗口 张三');
    await form.getByLabel('所属站点').selectOption('lishui');
    await form.getByLabel('初始密码（至少 10 位）').fill('a-long-password');
    await form.getByRole('button', { name: '创建账号' }).click();
    await poll(() => users.filter({ hasText: 'clerk.e2e' }).count()).toBe(1);
    // Certificates: the list when the server offers the API, else a plain notice (never an error).
    const certs = page.locator('section[aria-labelledby="certs-title"]');
    await poll(() => certs.locator('tbody tr, [data-testid="certs-unavailable"]').count()).toBeGreaterThan(0);
    expect(await certs.getByRole('alert').count()).toBe(0);
    await screenshot(page, 'admin');
  });

  it('the new account must choose its own password at first login, then its own PIN with the admin’s one-time code', async () => {
    const admin = await someone();
    await login(admin, demo.url, 'admin', /\/admin$/);
    await admin.getByTestId('enrolment-user').fill('clerk.e2e');
    await admin.getByTestId('enrolment-issue').click();
    const code = (await admin.getByTestId('enrolment-code').textContent())!.trim();
    expect(code).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/);

    const page = await someone();
    await page.goto(`${demo.url}/`);
    await page.getByTestId('login-username').fill('clerk.e2e');
    await page.getByTestId('login-password').fill('a-long-password');
    await page.getByTestId('login-submit').click();
    await poll(() => page.locator('h1').textContent()).toBe('请先设置您自己的密码');
    // Any staff page shows the same form until the password is changed.
    await page.goto(`${demo.url}/desk`);
    await poll(() => page.locator('h1').textContent()).toBe('请先设置您自己的密码');
    await screenshot(page, 'first-login-password');
    await page.getByTestId('password-first').fill('a-long-password');
    await page.getByTestId('password-new').fill('my-own-password-1');
    await page.getByTestId('password-again').fill('my-own-password-1');
    await page.getByRole('button', { name: '保存新密码' }).click();
    await page.waitForURL(/\/desk$/);

    await page.getByRole('link', { name: '我的账号' }).click();
    await page.waitForURL(/\/account$/);
    await page.getByTestId('enrol-first').fill(code);
    await page.getByTestId('enrol-new').fill('80461357');
    await page.getByTestId('enrol-again').fill('80461357');
    await page.getByRole('button', { name: '启用签名证书' }).click();
    await poll(() => page.getByTestId('enrol').getByRole('status').textContent()).toContain('签名证书已启用');
    await screenshot(page, 'account-pin-enrolled');
  });
});
