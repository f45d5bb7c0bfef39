// The public verification page in real Chromium against `tongban demo`, signed out: an archived
// agreement's signed PDF and its evidence package are uploaded as they are and with one byte
// changed, and the verdicts read right in Chinese and in English; the short URL printed beside
// the QR opens the page with the record's impersonal facts. Screenshots: e2e/artifacts/verify-*.png.
import { createHash } from 'node:crypto';
import type { APIRequestContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { withFlippedByte } from '../../server/test-support/package-tools.js';
import { agreementPdf } from '../support/agreement.js';
import { demoSession } from '../support/demo-session.js';
import { DEMO_PASSWORD, DEMO_PIN, poll, screenshot } from '../support/people.js';

const demo = demoSession();

/** A staff member's API session in their own browser context (the cookie stays in it). */
async function staff(username: string): Promise<APIRequestContext> {
  const page = await demo.someone();
  const res = await page.request.post(`${demo.url}/api/auth/login`, { data: { username, password: DEMO_PASSWORD } });
  expect(res.status()).toBe(200);
  return page.request;
}

/** An archived, signed agreement made through the API: its unstamped bytes, signed PDF and evidence zip. */
async function archivedAgreement(): Promise<{ agreement: Buffer; pdf: Buffer; zip: Buffer }> {
  const [host, official, auditor] = await Promise.all(['clerk.ninghai', 'official.ninghai', 'auditor'].map(staff));
  const agreement = await agreementPdf(2);
  const created = await host!.post(`${demo.url}/api/ceremonies`, {
    multipart: {
      title: '宁海 通办合作协议（核验）',
      signers: 'official.ninghai',
      agreement: { name: 'agreement.pdf', mimeType: 'application/pdf', buffer: agreement },
    },
  });
  expect(created.status()).toBe(201);
  const state = (await created.json()) as { id: string; documentId: string };
  const signed = await official!.post(`${demo.url}/api/ceremonies/${state.id}/sign`, { data: { pin: DEMO_PIN } });
  expect(signed.status()).toBe(200);
  const archived = await host!.post(`${demo.url}/api/ceremonies/${state.id}/archive`);
  expect(archived.status()).toBe(201);
  const { recordId } = (await archived.json()) as { recordId: string };
  const pdf = await (await host!.get(`${demo.url}/api/documents/${state.documentId}`)).body();
  const zip = await (await auditor!.get(`${demo.url}/api/records/${recordId}/evidence.zip`)).body();
  return { agreement, pdf, zip };
}

async function check(page: Page, name: string, mimeType: string, buffer: Buffer): Promise<string | null> {
  await page.getByTestId('verify-file').setInputFiles({ name, mimeType, buffer });
  await page.getByTestId('verify-submit').click();
  const verdict = page.getByTestId('verify-verdict');
  await verdict.waitFor();
  await poll(() => page.getByTestId('verify-report').getAttribute('data-type')).toBe(
    name.endsWith('.zip') ? 'zip' : 'pdf',
  );
  return verdict.getAttribute('data-valid');
}

describe('public verification page', () => {
  it('a signed PDF and an evidence zip, as issued and tampered, in Chinese and English; the QR short URL', async () => {
    const { agreement, pdf, zip } = await archivedAgreement();
    const page = await demo.someone();
    await page.goto(`${demo.url}/verify`);
    await poll(() => page.locator('h1').textContent()).toBe('文件核验');

    // Chinese: the signed PDF as issued, then with one bit changed inside the signed agreement.
    expect(await check(page, 'agreement-signed.pdf', 'application/pdf', pdf)).toBe('true');
    await poll(() => page.getByTestId('verify-verdict').textContent()).toBe('核验通过');
    await poll(() => page.getByTestId('verify-signature').count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('verify-held').getAttribute('data-held')).toBe('true');
    expect(await page.getByTestId('verify-state').textContent()).toBe('已归档');
    expect(await page.getByTestId('verify-report').textContent()).toContain('叶建华');
    await screenshot(page, 'verify-pdf-valid-zh');
    const tampered = Buffer.from(pdf);
    const at = tampered.indexOf('stream', 0, 'latin1') + 20;
    tampered[at] = tampered[at]! ^ 0x01;
    expect(await check(page, 'agreement-tampered.pdf', 'application/pdf', tampered)).toBe('false');
    await poll(() => page.getByTestId('verify-verdict').textContent()).toBe('核验未通过');
    await screenshot(page, 'verify-pdf-tampered-zh');
    expect(await check(page, 'evidence.zip', 'application/zip', zip)).toBe('true');
    await screenshot(page, 'verify-zip-valid-zh');

    // English: the switch, then the zip as issued and with a changed manifest.
    await page.getByRole('button', { name: 'English' }).click();
    await poll(() => page.locator('h1').textContent()).toBe('Verify a document');
    expect(await check(page, 'evidence.zip', 'application/zip', zip)).toBe('true');
    await poll(() => page.getByTestId('verify-verdict').textContent()).toBe('Verified');
    await screenshot(page, 'verify-zip-valid-en');
    const badZip = await withFlippedByte(zip, 'manifest.json');
    expect(await check(page, 'evidence-tampered.zip', 'application/zip', badZip)).toBe('false');
    await poll(() => page.getByTestId('verify-verdict').textContent()).toBe('Not valid');
    expect(await page.getByTestId('verify-problems').textContent()).toContain('manifest.json');
    await screenshot(page, 'verify-zip-tampered-en');
    expect(await check(page, 'agreement-tampered.pdf', 'application/pdf', tampered)).toBe('false');
    await screenshot(page, 'verify-pdf-tampered-en');

    // Not a document: the refusal in words.
    await page
      .getByTestId('verify-file')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.getByTestId('verify-submit').click();
    await poll(() => page.getByRole('alert').textContent()).toBe(
      'Cannot verify: upload a signed PDF or an evidence package (zip).',
    );

    // The short URL printed beside the QR: the page with held/kind/state only, nothing personal.
    const h = createHash('sha256').update(agreement).digest('hex');
    await page.goto(`${demo.url}/v/${h.slice(0, 16)}`);
    await poll(() => page.getByTestId('verify-held').getAttribute('data-held')).toBe('true');
    const facts = await page.getByTestId('verify-hash').textContent();
    expect(facts).toContain('Agreement');
    expect(facts).toContain('Archived');
    expect(facts).not.toContain('叶建华');
    await screenshot(page, 'verify-qr-hash-en');
  });
});
