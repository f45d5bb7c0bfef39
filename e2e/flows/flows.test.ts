// The three flows of DESIGN §1 in real Chromium against `tongban demo`, one browser context per
// person with a fake camera: A (clerk at 兴仁 opens a case for 慈溪, the clerk at 慈溪 accepts,
// the applicant joins by invitation on a phone, consent, snapshots, confirmation, three
// signatures), B (a host and two officials sign an agreement in order while the host turns
// pages), C (the auditor finds both records, sees valid signatures and exports evidence).
import { spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { agreementPdf } from '../support/agreement.js';
import { demoSession } from '../support/demo-session.js';
import { login, phone, poll, screenshot, screenshotsTaken } from '../support/people.js';
import { consent, drawSignature, signWithPin, waitForVideoOf } from '../support/room.js';

const demo = demoSession();
const someone = demo.someone;

afterAll(() => {
  console.log(`screenshots:\n  ${screenshotsTaken().join('\n  ')}`);
});

const done: { caseNumber?: string; ceremonyTitle?: string } = {};

describe('flow A: remote identity confirmation', () => {
  // Steps share the people and the case; each step needs the one before it.
  let xingren: Page, cixi: Page, applicant: Page;

  it('the clerk at 兴仁 opens a case for 慈溪; the ID number is never echoed', async () => {
    xingren = await someone();
    await login(xingren, demo.url, 'clerk.xingren', /\/desk$/);
    await xingren.getByTestId('case-new').click();
    await xingren.getByTestId('case-partner').selectOption('cixi');
    const matter = xingren.getByTestId('case-matter');
    await poll(() => matter.locator('option').count()).toBeGreaterThan(1);
    await matter.selectOption({ index: 1 });
    await xingren.getByTestId('case-applicant-name').fill('陈静');
    await xingren.getByTestId('case-id-number').fill('522501199001011234');
    await screenshot(xingren, 'desk-new-case');
    await xingren.getByTestId('case-create').click();
    await xingren.getByTestId('case-status').waitFor();
    expect(await xingren.content()).not.toContain('522501199001011234');
    expect(await xingren.locator('.case-detail').textContent()).toContain('5225');
    done.caseNumber = (await xingren.locator('#case-title .mono').textContent())!.trim();
  });

  it("the case appears live in 慈溪's queue; the clerk there accepts it and enters the room", async () => {
    cixi = await someone();
    await login(cixi, demo.url, 'clerk.cixi', /\/desk$/);
    await cixi.getByTestId('queue').getByTestId('case-row').filter({ hasText: '陈静' }).click();
    await screenshot(cixi, 'desk-queue-case-detail');
    await cixi.getByTestId('case-accept').click();
    await cixi.waitForURL(/\/room\//);
    await consent(cixi);
  });

  it('the clerk at 兴仁 sees the change live, invites the applicant, who joins on a phone', async () => {
    await expect
      .poll(() => xingren.getByTestId('case-status').textContent(), { timeout: 15_000 })
      .toContain('视频办理中');
    await xingren.getByTestId('case-invite').click();
    const invitation = await xingren.getByTestId('invitation-url').textContent();
    expect(await xingren.getByTestId('invitation-code').textContent()).toMatch(/\S{4,}/);
    await screenshot(xingren, 'desk-invitation');
    await xingren.getByTestId('case-enter-room').click();
    await consent(xingren);

    applicant = await someone(phone);
    await applicant.goto(`${demo.url}${new URL(invitation!).pathname}`);
    await screenshot(applicant, 'join-phone');
    await applicant.getByTestId('join-button').click();
    await applicant.waitForURL(/\/room\//);
    await consent(applicant);
    await waitForVideoOf(cixi, 'applicant');
    await poll(() => cixi.getByTestId('video-tile').count()).toBe(3);
    await poll(() => applicant.getByTestId('video-tile').count()).toBe(3);
    await screenshot(applicant, 'room-applicant-phone');
  });

  it('every participant sees the recording indicator', async () => {
    for (const page of [cixi, xingren, applicant])
      await page.getByTestId('recording-indicator').waitFor({ timeout: 15_000 });
  });

  it("the handling clerk runs the 意愿确认 script: each prompt shows large on the applicant's phone, answers are chained with their offsets", async () => {
    await cixi.getByTestId('script-start').click();
    for (let n = 1; ; n++) {
      const current = cixi.locator(`[data-testid="script-current"][data-step="${n}"]`);
      if (!(await current.count()) && (await cixi.getByTestId('script-done').count())) break;
      await current.waitFor({ timeout: 15_000 });
      await applicant.locator(`[data-testid="script-prompt-text"][data-step="${n}"]`).waitFor({ timeout: 15_000 });
      if (n === 2) {
        await screenshot(applicant, 'room-applicant-phone-script-prompt');
        await screenshot(cixi, 'room-handling-clerk-script');
        // 重复: the same prompt is shown (and chained) again.
        await cixi.getByTestId('script-repeat').click();
        await cixi.locator('[data-testid="script-current"][data-step="2"][data-shown="2"]').waitFor();
      }
      const expected = await cixi.locator('[data-testid="script-current"]').getAttribute('data-expected');
      await cixi.getByTestId(`script-${expected}`).click();
      await poll(
        async () =>
          (await cixi.locator(`[data-testid="script-current"][data-step="${n}"]`).count()) === 0 ||
          (await cixi.getByTestId('script-done').count()) > 0,
      ).toBe(true);
      if (await cixi.getByTestId('script-done').count()) break;
    }
    await applicant.getByTestId('script-prompt-status').waitFor({ timeout: 15_000 });
    const run = await applicant.evaluate(async () => {
      const me = (await (await fetch('/api/me')).json()) as { caseId: string };
      return (await (await fetch(`/api/cases/${me.caseId}/script`)).json()) as {
        status: string;
        steps: { n: number; answer: string; shown: number; answerOffsetMs: number; answerChainIndex: number }[];
      };
    });
    console.log(
      'script run:',
      run.steps
        .map((s) => `${s.n} ${s.answer} shown ${s.shown} +${s.answerOffsetMs} ms link #${s.answerChainIndex}`)
        .join('; '),
    );
    expect(run.status).toBe('complete');
    expect(run.steps[1]!.shown).toBe(2);
    const offsets = run.steps.map((s) => s.answerOffsetMs);
    expect(offsets.every((o) => o > 0)).toBe(true);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    const links = run.steps.map((s) => s.answerChainIndex);
    expect(links).toEqual([...links].sort((a, b) => a - b));
  });

  it('the clerk at 兴仁 adds a material (PDF upload); it is chained into the recording', async () => {
    await xingren.getByTestId('material-name').fill('社保停缴申请表');
    await xingren
      .getByTestId('material-file')
      .setInputFiles({ name: 'form.pdf', mimeType: 'application/pdf', buffer: await agreementPdf(1) });
    await xingren.getByTestId('material-upload').click();
    await xingren.getByTestId('material-item').waitFor({ timeout: 30_000 });
    expect(await xingren.getByTestId('material-item').textContent()).toContain('application/pdf');
    await screenshot(xingren, 'room-originating-clerk-material');
  });

  it('the handling clerk works the checklist, captures face and ID, and confirms the identity', async () => {
    for (const item of ['faceVisible', 'idFrontShown', 'idBackShown', 'statedNameAndPurpose']) {
      await cixi.getByTestId(`check-${item}`).check();
    }
    // The server takes each frame from the applicant's recorded video (it waits for the segment
    // covering the instant to close), so a snapshot takes a few seconds.
    await cixi.getByTestId('snapshot-face').click();
    await expect.poll(() => cixi.getByTestId('snapshot-item').count(), { timeout: 30_000 }).toBe(1);
    await cixi.getByTestId('snapshot-id').click();
    await expect.poll(() => cixi.getByTestId('snapshot-item').count(), { timeout: 30_000 }).toBe(2);
    await screenshot(cixi, 'room-handling-clerk-checklist');
    await cixi.getByTestId('confirm-identity').click();
    await cixi.locator('[data-testid="pdf-viewer"][data-rendered="yes"]').waitFor({ timeout: 30_000 });
    await screenshot(cixi, 'room-confirmation-document');
    // Each snapshot is a frame of the applicant's recording, linked into its hash chain; the PDF says where.
    const api = async (path: string) => (await cixi.request.get(`${demo.url}${path}`)).body();
    const session = JSON.parse(
      (await api(`/api/sessions/${new URL(cixi.url()).pathname.split('/').pop()}`)).toString(),
    );
    const { snapshots } = JSON.parse((await api(`/api/cases/${session.caseId}/snapshots`)).toString());
    expect(snapshots).toHaveLength(2);
    const text = spawnSync('pdftotext', ['-', '-'], { input: await api(`/api/documents/${session.documentId}`) });
    console.log(`pdftotext of the 确认书:\n${text.stdout.toString()}`);
    expect(text.stdout.toString()).toContain('意愿确认 Consent script');
    expect(text.stdout.toString()).toContain('社保停缴申请表 · application/pdf');
    for (const s of snapshots as { mediaType: string; offsetMs: number; chainIndex: number; chainHash: string }[]) {
      expect(s.mediaType).toBe('image/jpeg');
      expect(text.stdout.toString()).toContain(`offset +${s.offsetMs} ms`);
      expect(text.stdout.toString()).toContain(`chain link #${s.chainIndex} h=${s.chainHash.slice(0, 16)}`);
    }
  });

  it('the applicant sees the confirmation and signs by hand', async () => {
    await applicant.getByTestId('handwriting-pad').waitFor({ timeout: 20_000 });
    await applicant.locator('[data-testid="pdf-viewer"][data-rendered="yes"]').waitFor({ timeout: 30_000 });
    await drawSignature(applicant);
    await screenshot(applicant, 'room-applicant-phone-signing');
    await applicant.getByTestId('sign-button').click();
    await applicant.getByTestId('sign-button').waitFor({ state: 'detached', timeout: 60_000 });
  });

  it('the witness and the handling clerk sign with their PIN; everyone sees three signatures', async () => {
    await xingren.getByTestId('sign-button').waitFor({ timeout: 20_000 });
    await signWithPin(xingren);
    await cixi.getByTestId('sign-button').waitFor({ timeout: 20_000 });
    await signWithPin(cixi);
    for (const page of [cixi, xingren, applicant]) {
      await page.getByTestId('all-signed').waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-testid="signer"][data-signed="yes"]').count()).toBe(3);
    }
    await screenshot(cixi, 'room-all-signed');
    await cixi.getByTestId('case-archive').click();
    await cixi.waitForURL(/\/desk$/, { timeout: 60_000 });
  });
});

describe('flow B: remote signing ceremony', () => {
  it('two officials sign in order while the host turns the pages for everyone', async () => {
    const host = await someone();
    await login(host, demo.url, 'clerk.ninghai', /\/desk$/);
    await host.goto(`${demo.url}/ceremony`);
    done.ceremonyTitle = `宁海—椒江通办合作协议 ${Date.now() % 100_000}`;
    await host.getByTestId('ceremony-title').fill(done.ceremonyTitle);
    await host
      .getByTestId('ceremony-file')
      .setInputFiles({ name: 'agreement.pdf', mimeType: 'application/pdf', buffer: await agreementPdf(3) });
    await host.getByTestId('ceremony-signers').fill('official.ninghai, official.jiaojiang');
    await host.getByTestId('ceremony-create').click();
    await host.waitForURL(/\/ceremony\/[0-9a-f-]{36}$/);
    await consent(host);
    const link = (await host.getByTestId('ceremony-link').textContent())!;

    const officials: Page[] = [];
    for (const username of ['official.ninghai', 'official.jiaojiang']) {
      const page = await someone();
      await login(page, demo.url, username, /\/ceremony$/);
      await page.goto(`${demo.url}${new URL(link).pathname}`);
      await consent(page);
      officials.push(page);
    }
    const [ninghai, jiaojiang] = officials as [Page, Page];
    // Every page gets the ceremony's state pushed over socket.io (no polling while live).
    for (const page of [host, ninghai, jiaojiang]) {
      await expect
        .poll(() => page.getByTestId('ceremony-status').getAttribute('data-live'), { timeout: 20_000 })
        .toBe('yes');
    }
    const pageLabel = (p: Page) => p.getByTestId('pdf-page-label').textContent();
    await expect.poll(() => pageLabel(jiaojiang), { timeout: 20_000 }).toContain('1 / 3');
    await host.getByTestId('page-next').click();
    await expect.poll(() => pageLabel(ninghai), { timeout: 10_000 }).toContain('2 / 3');
    await expect.poll(() => pageLabel(jiaojiang), { timeout: 10_000 }).toContain('2 / 3');
    await waitForVideoOf(host, 'official');
    await poll(() => host.getByTestId('video-tile').count()).toBe(3);

    // Out of turn there is no sign button; in turn there is.
    expect(await jiaojiang.getByTestId('sign-button').count()).toBe(0);
    await jiaojiang.locator('[data-testid="pdf-viewer"][data-rendered="yes"]').waitFor({ timeout: 30_000 });
    await screenshot(ninghai, 'ceremony-official-turn');
    // The PIN dialog is keyboard-operable: focus starts in it and Esc closes it, back to the button.
    await ninghai.getByTestId('sign-button').click();
    await poll(() => ninghai.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('pin-input');
    await ninghai.keyboard.press('Escape');
    await ninghai.getByTestId('pin-input').waitFor({ state: 'detached' });
    expect(await ninghai.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('sign-button');
    await signWithPin(ninghai);
    await jiaojiang.getByTestId('sign-button').waitFor({ timeout: 20_000 });
    await signWithPin(jiaojiang);
    for (const page of [host, ninghai, jiaojiang]) {
      await page.getByTestId('all-signed').waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-testid="signer"][data-signed="yes"]').count()).toBe(2);
    }
    await screenshot(host, 'ceremony-host-all-signed');
    await host.getByTestId('ceremony-archive').click();
    await expect.poll(() => host.getByTestId('ceremony-status').textContent(), { timeout: 60_000 }).toContain('已归档');
  });
});

describe('flow C: audit', () => {
  let auditor: Page;

  async function openRecord(query: string): Promise<void> {
    await auditor.goto(`${demo.url}/audit`);
    await auditor.getByTestId('record-search').fill(query);
    await auditor.getByTestId('record-search-submit').click();
    // The row shows the case number or the ceremony title, whichever was searched for.
    const row = auditor.getByTestId('record-row').filter({ hasText: query });
    await poll(() => row.count()).toBe(1);
    await row.locator('a').click();
    await auditor.getByTestId('document-report').first().waitFor({ timeout: 30_000 });
  }

  async function expectValidSignatures(atLeast: number): Promise<void> {
    const verdicts = await auditor
      .getByTestId('document-valid')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-valid')));
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.every((v) => v === 'true')).toBe(true);
    const rows = await auditor
      .getByTestId('signature-row')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-valid')));
    expect(rows.length).toBeGreaterThanOrEqual(atLeast);
    expect(rows.every((v) => v === 'true')).toBe(true);
  }

  async function exportEvidence(): Promise<void> {
    // Watch the progress bar from inside the page: it may come and go between two polls.
    await auditor.evaluate(() => {
      const w = window as unknown as { __progressSeen: boolean };
      w.__progressSeen = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="evidence-progress"]')) w.__progressSeen = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    const download = auditor.waitForEvent('download', { timeout: 120_000 });
    await auditor.getByTestId('evidence-export').click();
    const file = await download;
    await auditor.getByTestId('evidence-done').waitFor();
    expect(await auditor.evaluate(() => (window as unknown as { __progressSeen: boolean }).__progressSeen)).toBe(true);
    expect(file.suggestedFilename()).toMatch(/^evidence-.*\.zip$/);
    const stream = await file.createReadStream();
    const head = await new Promise<Buffer>((resolve) => stream.once('data', (c: Buffer) => resolve(c)));
    stream.destroy();
    expect(head.subarray(0, 2).toString()).toBe('PK');
  }

  it('the auditor logs in and sees the archived records', async () => {
    auditor = await someone();
    await login(auditor, demo.url, 'auditor', /\/audit$/);
    await expect.poll(() => auditor.getByTestId('record-row').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    await screenshot(auditor, 'audit-search');
  });

  it('the ceremony record (flow B): two valid official signatures, evidence exported with progress', async () => {
    await openRecord(done.ceremonyTitle!);
    await expectValidSignatures(2);
    await exportEvidence();
    await screenshot(auditor, 'audit-record-flow-b');
  });

  it('the identity record (flow A): three valid signatures, snapshots, evidence exported with progress', async () => {
    await openRecord(done.caseNumber!);
    await expectValidSignatures(3);
    expect(await auditor.getByTestId('record-snapshot').count()).toBe(2);
    await exportEvidence();
    await screenshot(auditor, 'audit-record-flow-a');
  });
});
