// One `tongban demo` and one Chromium per test file, a browser context per person; all closed
// after the file's tests. Call at a test file's top level (it registers the hooks).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from '../media/browser.js';
import { startDemoServer, type DemoServer } from './demo-server.js';
import { person, type Person } from './people.js';

export interface DemoSession {
  /** The demo server's base URL (valid once the file's tests run). */
  readonly url: string;
  /** A new person: their own browser context, optionally with a phone-sized viewport. */
  someone(viewport?: { width: number; height: number }): Promise<Page>;
}

export function demoSession(): DemoSession {
  let server: DemoServer | undefined;
  let browser: Browser | undefined;
  const people: Person[] = [];
  beforeAll(async () => {
    [server, browser] = await Promise.all([startDemoServer(), launchChromium()]);
  }, 180_000);
  afterAll(async () => {
    for (const p of people) await p.context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });
  return {
    get url() {
      return server!.url;
    },
    async someone(viewport) {
      const p = await person(browser!, viewport);
      people.push(p);
      return p.page;
    },
  };
}
