// The three flows of DESIGN §1 in real Chromium against `tongban demo`, one browser context per
// person with a fake camera: A (clerk at 兴仁 opens a case for 慈溪, the clerk at 慈溪 accepts,
// the applicant joins by invitation on a phone, consent, the 意愿确认 script, a material, snapshots
// with the OCR and face-match advice, confirmation, three signatures), B (a host and two officials
// sign an agreement in order while the host turns pages), C (the auditor finds both records, sees
// valid signatures and exports evidence, flow A's verified with openssl, sha256sum and tongban).
// The applicant's camera is steered (support/scene-camera.ts): their face, then a synthetic
// 第二代居民身份证 of the fictional 张明远 whose portrait is another photo of the same man.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceScene, withPortrait } from '../../server/test-support/face-fixtures.js';
import { cardScene, fictionalPerson, renderIdCard } from '../../server/test-support/id-card.js';
import { readmeCommands, unpack } from '../../server/test-support/package-tools.js';
import { agreementPdf } from '../support/agreement.js';
import { demoSession } from '../support/demo-session.js';
import { artifacts, login, phone, poll, screenshot, screenshotsTaken } from '../support/people.js';
import { sendLayers } from '../media/browser.js';
import { frameSize } from '../media/ffprobe.js';
import { consent, drawSignature, signWithPin, waitForVideoOf } from '../support/room.js';
import { sceneCamera, showScene } from '../support/scene-camera.js';

const demo = demoSession();
const someone = demo.someone;
const work = mkdtempSync(join(tmpdir(), 'tongban-flows-'));
let scenes: { face: Buffer; card: Buffer };
const artifactsDir = () => (mkdirSync(artifacts, { recursive: true }), artifacts);

beforeAll(() => {
  const card = withPortrait(renderIdCard(fictionalPerson, 'front'), 'authorSecond', work);
  scenes = {
    face: readFileSync(faceScene('authorLarge', join(work, 'face.png'))),
    card: cardScene(card, 640, 480, 600),
  };
});

afterAll(() => {
  console.log(`screenshots:\n  ${screenshotsTaken().join('\n  ')}`);
  rmSync(work, { recursive: true, force: true });
});

const done: { caseNumber?: string; ceremonyTitle?: string } = {};

// People go home when their flow ends: their pages would otherwise keep sending and decoding video
// through the next flow, on the same two cores as the next flow's three cameras.
const leave = (...pages: Page[]) => Promise.all(pages.map((p) => p.context().close()));

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
    await xingren.getByTestId('case-applicant-name').fill(fictionalPerson.name);
    await xingren.getByTestId('case-id-number').fill(fictionalPerson.idNumber);
    await screenshot(xingren, 'desk-new-case');
    await xingren.getByTestId('case-create').click();
    await xingren.getByTestId('case-status').waitFor();
    expect(await xingren.content()).not.toContain(fictionalPerson.idNumber);
    expect(await xingren.locator('.case-detail').textContent()).toContain('3302');
    done.caseNumber = (await xingren.locator('#case-title .mono').textContent())!.trim();
  });

  it("the case appears live in 慈溪's queue; the clerk there accepts it and enters the room", async () => {
    cixi = await someone();
    await login(cixi, demo.url, 'clerk.cixi', /\/desk$/);
    await cixi.getByTestId('queue').getByTestId('case-row').filter({ hasText: fictionalPerson.name }).click();
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
    await sceneCamera(applicant, scenes);
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
      if (n === 3) {
        // A doubt about step 1's answer: the clerk asks it again (the prompt interrupts step 3 on the
        // applicant's phone); the old answer stays in the chain, the table marks the correction.
        await cixi.locator('[data-testid="script-reask"][data-step="1"]').click();
        await cixi.locator('[data-testid="script-current"][data-step="1"]').waitFor();
        await applicant.locator('[data-testid="script-prompt-text"][data-step="1"]').waitFor({ timeout: 15_000 });
        await cixi.getByTestId('script-yes').click();
        await cixi.locator('[data-testid="script-current"][data-step="3"]').waitFor();
        await applicant.locator('[data-testid="script-prompt-text"][data-step="3"]').waitFor({ timeout: 15_000 });
        await cixi.locator('[data-testid="script-row"][data-corrected="1"]').waitFor();
        await screenshot(cixi, 'room-handling-clerk-script-corrected');
      }
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
        steps: {
          n: number;
          answer: string;
          shown: number;
          answerOffsetMs: number;
          answerChainIndex: number;
          corrected: { answer: string; offsetMs: number; chainIndex: number }[];
        }[];
      };
    });
    console.log(
      'script run:',
      run.steps
        .map(
          (s) =>
            `${s.n} ${s.answer} shown ${s.shown} +${s.answerOffsetMs} ms link #${s.answerChainIndex}` +
            s.corrected.map((c) => ` (corrected: was ${c.answer} +${c.offsetMs} ms link #${c.chainIndex})`).join(''),
        )
        .join('; '),
    );
    expect(run.status).toBe('complete');
    expect(run.steps.map((s) => s.shown)).toEqual([2, 2, 2, 1]);
    expect(run.steps.map((s) => s.corrected.length)).toEqual([1, 0, 0, 0]);
    // In the order answered: step 1's first answer, 2, step 1 again, then 3 and 4.
    type Step = (typeof run.steps)[0];
    const [one, two, three, four] = run.steps as [Step, Step, Step, Step];
    const first = one.corrected[0]!;
    const answered = [
      [first.offsetMs, first.chainIndex],
      ...[two, one, three, four].map((s) => [s.answerOffsetMs, s.answerChainIndex]),
    ];
    expect(answered.every(([offset]) => offset! > 0)).toBe(true);
    for (const column of [0, 1]) {
      const values = answered.map((a) => a[column]!);
      expect(values).toEqual([...values].sort((x, y) => x - y));
    }
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

  it('the clerk at 兴仁 shares a screen: the others see it large and are told; it is recorded as its own track', async () => {
    await xingren.getByTestId('toggle-screen').click();
    for (const page of [cixi, applicant]) {
      await page.getByTestId('screen-share').waitFor({ timeout: 30_000 });
      await expect.poll(() => page.getByTestId('screen-notice').getAttribute('data-sharing')).toBe('true');
      await expect
        .poll(() => page.getByTestId('screen-video').evaluate((v: HTMLVideoElement) => v.readyState), {
          timeout: 30_000,
        })
        .toBeGreaterThanOrEqual(2);
    }
    console.log(`[flow A] screen share notice: ${await cixi.getByTestId('screen-notice').textContent()}`);
    await screenshot(cixi, 'room-handling-clerk-screen-share');
    await xingren.waitForTimeout(6_000);
    await xingren.getByTestId('toggle-screen').click();
    for (const page of [cixi, applicant])
      await expect.poll(() => page.getByTestId('screen-share').count(), { timeout: 20_000 }).toBe(0);
  });

  it('the handling clerk captures face and ID: the OCR advice and the face-match advice show; the clerk accepts the match', async () => {
    for (const item of ['faceVisible', 'idFrontShown', 'idBackShown', 'statedNameAndPurpose']) {
      await cixi.getByTestId(`check-${item}`).check();
    }
    // The server takes each frame from the applicant's recorded video (it waits for the segment
    // covering the instant to close), so a snapshot takes a few seconds.
    await showScene(applicant, 'face');
    await cixi.getByTestId('snapshot-face').click();
    await expect.poll(() => cixi.getByTestId('snapshot-item').count(), { timeout: 30_000 }).toBe(1);
    await showScene(applicant, 'card');
    await screenshot(applicant, 'room-applicant-phone-id-card');
    await cixi.getByTestId('snapshot-id').click();
    await expect.poll(() => cixi.getByTestId('snapshot-item').count(), { timeout: 30_000 }).toBe(2);
    await showScene(applicant, 'face', 0);
    // The ID snapshot is read by tesseract on the server: advice, fields highlighted when unsure.
    const advice = cixi.getByTestId('id-check');
    await advice.waitFor({ timeout: 120_000 });
    const field = async (key: string) => (await cixi.getByTestId(`id-field-${key}`).innerText()).replace(/\s+/g, ' ');
    for (const key of ['name', 'birth', 'idNumber', 'address']) console.log(`[flow A] OCR ${key}: ${await field(key)}`);
    // The frame tesseract read, as the clerk sees it, kept beside the screenshots: a misread is then
    // a picture to look at (its size tells which simulcast layer it came from).
    const idSnapshot = join(artifactsDir(), 'flow-a-id-snapshot.jpg');
    const src = await cixi.getByTestId('snapshot-item').nth(1).locator('img').getAttribute('src');
    writeFileSync(idSnapshot, await (await cixi.request.get(new URL(src!, cixi.url()).href)).body());
    const { width, height } = frameSize(idSnapshot);
    console.log(`[flow A] the ID snapshot: ${width}×${height}; the applicant's camera: ${await sendLayers(applicant)}`);
    expect(await field('name')).toContain(fictionalPerson.name);
    expect(await field('idNumber')).toContain('3302**********1231');
    for (const key of ['checksum', 'matchesApplicant', 'nameMatches', 'birthMatches']) {
      const status = await cixi.getByTestId(`id-check-${key}`).getAttribute('data-status');
      console.log(`[flow A] OCR check ${key}: ${status}`);
      expect(status).toBe('pass');
    }
    await advice.screenshot({ path: join(artifactsDir(), 'flow-a-id-check-advice.png') });
    // Face match: the face snapshot against the portrait on the ID snapshot, as advice.
    await cixi.getByTestId('face-match').click();
    const check = cixi.getByTestId('face-check');
    await check.waitFor({ timeout: 180_000 });
    const score = await check.getByTestId('face-score').innerText();
    const label = await check.getByTestId('face-label').innerText();
    console.log(`[flow A] face match: score ${score}, label ${label}`);
    expect(Number(score)).toBeGreaterThanOrEqual(0.55);
    await cixi.getByTestId('face-accept').click();
    await check.getByTestId('face-decision').waitFor();
    await cixi.getByTestId('face-panel').screenshot({ path: join(artifactsDir(), 'flow-a-face-match-advice.png') });
    await screenshot(cixi, 'room-handling-clerk-checklist');
  });

  it('the handling clerk confirms: the 确认书 shows the script table, the material, the ID check and the face score', async () => {
    await cixi.getByTestId('confirm-identity').click();
    await cixi.locator('[data-testid="pdf-viewer"][data-rendered="yes"]').waitFor({ timeout: 60_000 });
    await screenshot(cixi, 'room-confirmation-document');
    // Each snapshot is a frame of the applicant's recording, linked into its hash chain; the PDF says where.
    const api = async (path: string) => (await cixi.request.get(`${demo.url}${path}`)).body();
    const session = JSON.parse(
      (await api(`/api/sessions/${new URL(cixi.url()).pathname.split('/').pop()}`)).toString(),
    );
    const { snapshots } = JSON.parse((await api(`/api/cases/${session.caseId}/snapshots`)).toString());
    expect(snapshots).toHaveLength(2);
    const pdf = await api(`/api/documents/${session.documentId}`);
    writeFileSync(join(artifactsDir(), 'flow-a-confirmation.pdf'), pdf);
    const text = spawnSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).stdout.toString();
    writeFileSync(join(artifactsDir(), 'flow-a-confirmation.txt'), text);
    console.log(`pdftotext -layout of the 确认书:\n${text}`);
    const flat = text.replace(/\s+/g, ' ');
    expect(text).toContain('意愿确认 Consent script');
    expect(text).toContain('是 yes (更正)');
    expect(flat).toContain('更正 corrected: 原 was 是 yes');
    expect(text).toContain('社保停缴申请表 · application/pdf');
    expect(text).toContain('证件识别 ID check');
    expect(text).toContain('3302**********1231');
    expect(text).toContain('人脸比对与活体检测 Face match');
    const checks = JSON.parse((await api(`/api/cases/${session.caseId}/face-checks`)).toString()).checks;
    expect(checks).toHaveLength(1);
    expect(flat).toContain(`similarity ${checks[0].score.toFixed(4)}`);
    expect(flat).toContain('clerk decision: ');
    const run = JSON.parse((await api(`/api/cases/${session.caseId}/script`)).toString());
    for (const step of run.steps as { answerOffsetMs: number; answerChainIndex: number }[])
      expect(text).toContain(`+${step.answerOffsetMs} ms #${step.answerChainIndex}`);
    for (const s of snapshots as { mediaType: string; offsetMs: number; chainIndex: number; chainHash: string }[]) {
      expect(s.mediaType).toBe('image/jpeg');
      expect(flat).toContain(`offset +${s.offsetMs} ms`);
      expect(flat).toContain(`chain link #${s.chainIndex} h=${s.chainHash.slice(0, 16)}`);
    }
  });

  it('the applicant sees the confirmation and signs by hand', async () => {
    await applicant.getByTestId('handwriting-pad').waitFor({ timeout: 20_000 });
    await applicant.locator('[data-testid="pdf-viewer"][data-rendered="yes"]').waitFor({ timeout: 60_000 });
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
    await leave(cixi, xingren, applicant);
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
    await jiaojiang.locator('[data-testid="pdf-viewer"][data-rendered="yes"]').waitFor({ timeout: 60_000 });
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
    await leave(host, ninghai, jiaojiang);
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

  async function exportEvidence(): Promise<string> {
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
    const saved = join(work, file.suggestedFilename());
    await file.saveAs(saved);
    expect(readFileSync(saved).subarray(0, 2).toString()).toBe('PK');
    return saved;
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

  it('the identity record (flow A): three valid signatures, snapshots, evidence exported; openssl, sha256sum and tongban verify it', async () => {
    await openRecord(done.caseNumber!);
    await expectValidSignatures(3);
    expect(await auditor.getByTestId('record-snapshot').count()).toBe(2);
    const zip = await exportEvidence();
    await screenshot(auditor, 'audit-record-flow-a');
    const rootPem = join(work, 'root.pem');
    writeFileSync(rootPem, await (await auditor.request.get(`${demo.url}/pki/root.pem`)).body());
    const dir = await unpack(readFileSync(zip));
    try {
      const { openssl, sha256sum } = readmeCommands(dir, rootPem);
      console.log(`[flow A] openssl cms -verify → ${openssl.status}: ${openssl.output.trim()}`);
      console.log(
        `[flow A] sha256sum -c SHA256SUMS → ${sha256sum.status}: ${sha256sum.output.split('\n').length} lines`,
      );
      expect(openssl.status, openssl.output).toBe(0);
      expect(sha256sum.status, sha256sum.output).toBe(0);
      expect(sha256sum.output).toMatch(/materials\/.*: OK/);
      // The screen share is a participant of its own in the sealed recording.
      const manifest = JSON.parse(readFileSync(join(dir, 'recording', 'manifest.json'), 'utf8')) as {
        participants: { id: string; role: string }[];
      };
      console.log(
        `[flow A] recording participants: ${manifest.participants.map((p) => `${p.id} (${p.role})`).join(', ')}`,
      );
      expect(manifest.participants.filter((p) => p.role === 'screen').map((p) => p.id)).toEqual([
        expect.stringMatching(/^user:clerk\.xingren.*#screen$/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const cli = spawnSync(process.execPath, ['bin/tongban.cjs', 'evidence', 'verify', zip, '--trust', rootPem], {
      encoding: 'utf8',
      env: { ...process.env, TONGBAN_DATA: '' },
    });
    console.log(`[flow A] tongban evidence verify → ${cli.status}\n${cli.stdout}`);
    expect(cli.status, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stdout.trim().split('\n').at(-1)).toBe('VALID');
    expect(cli.stdout).toMatch(/materials\/.*link \d+ of the recording chain/);
  });
});
