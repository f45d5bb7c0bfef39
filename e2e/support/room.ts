// Steps in the video room that several flows share.
import type { Page } from 'playwright-core';
import { DEMO_PIN } from './people.js';

/** Accepts the recording notice and waits until the camera is published (own tile has video). */
export async function consent(page: Page): Promise<void> {
  await page.getByTestId('consent-accept').click();
  await page.getByTestId('consent-accept').waitFor({ state: 'detached' });
}

/** Waits until every listed role's tile shows decoded video on this page. */
export async function waitForVideoOf(page: Page, role: string, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(
    (r) =>
      [...document.querySelectorAll<HTMLVideoElement>(`[data-peer-role="${r}"] video`)].some((v) => v.videoWidth > 0),
    role,
    { timeout: timeoutMs },
  );
}

/** Signs with the PIN dialog (clerks and officials). */
export async function signWithPin(page: Page, pin = DEMO_PIN): Promise<void> {
  await page.getByTestId('sign-button').click();
  await page.getByTestId('pin-input').fill(pin);
  await page.getByTestId('pin-submit').click();
  await page.getByTestId('pin-input').waitFor({ state: 'detached', timeout: 60_000 });
}

/** Draws a short signature on the handwriting pad with the mouse (or a finger on a phone). */
export async function drawSignature(page: Page): Promise<void> {
  const pad = page.getByTestId('handwriting-pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const at = (fx: number, fy: number) => [box.x + box.width * fx, box.y + box.height * fy] as const;
  await page.mouse.move(...at(0.15, 0.6));
  await page.mouse.down();
  for (const [fx, fy] of [
    [0.25, 0.3],
    [0.35, 0.7],
    [0.45, 0.35],
    [0.55, 0.65],
    [0.7, 0.4],
    [0.85, 0.55],
  ] as const) {
    await page.mouse.move(...at(fx, fy), { steps: 5 });
  }
  await page.mouse.up();
}
