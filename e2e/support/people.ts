// One browser context per person (own cookies, own fake camera stream), logged in through the
// login form like a clerk would; screenshots go to e2e/artifacts/.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

export const artifacts = resolve(import.meta.dirname, '../artifacts');
export const DEMO_PASSWORD = 'tongban-demo';
export const DEMO_PIN = '123456';

export interface Person {
  readonly context: BrowserContext;
  readonly page: Page;
}

export const phone = { width: 390, height: 844 };
export const desktop = { width: 1366, height: 860 };

export async function person(browser: Browser, viewport = desktop): Promise<Person> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport,
    locale: 'zh-CN',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`));
  return { context, page };
}

/** Logs in through the form and waits for the page of the role. */
export async function login(page: Page, baseUrl: string, username: string, landing: RegExp): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(landing);
}

const taken: string[] = [];

/** A full-page PNG in e2e/artifacts/; the names are listed at the end of the run. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifacts, { recursive: true });
  const file = join(artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  taken.push(file);
  return file;
}

export function screenshotsTaken(): readonly string[] {
  return taken;
}

/** expect.poll with a patience fit for two busy cores (browsers, SFU and signing on one machine). */
export function poll<T>(fn: () => Promise<T> | T) {
  return expect.poll(fn, { timeout: 20_000 });
}
