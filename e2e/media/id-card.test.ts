// ID card reading in the real app (issue 15 §2, §6): the applicant's Chromium camera is a Y4M of a
// synthetic 第二代居民身份证 (--use-file-for-fake-video-capture), the handling clerk in Chromium
// takes the ID snapshot, the server reads the frame it took from the recording, and the clerk sees
// the fields and checks as advice. The applicant's camera has dropped its top simulcast layer (as a
// browser does on a weak uplink or a busy machine): the snapshot is still taken at full resolution.
// Screenshot: e2e/artifacts/id-check-advice.png.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardScene, fictionalPerson, renderIdCard, y4mOf } from '../../server/test-support/id-card.js';
import { artifacts } from '../support/people.js';
import { launchChromium, sendLayers, testCamera } from './browser.js';
import { frameSize } from './ffprobe.js';
import { applicantRoomPage, openInvitedSession, staffRoomPage, startApp, type RunningApp } from './app-server.js';

let app: RunningApp;
let clerks: Browser;
let applicantBrowser: Browser;
let sessionId: string;
let inviteUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'tongban-idcard-e2e-'));

beforeAll(async () => {
  const y4m = join(dir, 'card.y4m');
  y4mOf([cardScene(renderIdCard(fictionalPerson, 'front'), 640, 480, 600)], y4m, 1);
  app = await startApp();
  clerks = await launchChromium(['--ignore-certificate-errors']);
  applicantBrowser = await launchChromium(['--ignore-certificate-errors', `--use-file-for-fake-video-capture=${y4m}`]);
  ({ sessionId, inviteUrl } = await openInvitedSession(app, {
    name: fictionalPerson.name,
    idNumber: fictionalPerson.idNumber,
  }));
}, 600_000);

afterAll(async () => {
  await clerks?.close();
  await applicantBrowser?.close();
  await app?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const staffPage = (username: string) => staffRoomPage(clerks, app, username, sessionId, { width: 1366, height: 1000 });

describe('ID card reading in the browser', () => {
  it("the fake camera shows the card; the server's ID snapshot is read and the clerk sees the advice", async () => {
    const cixi = await staffPage('clerk.cixi');
    await staffPage('clerk.xingren');
    // The page's senders, kept where the test can reach them (mediasoup-client sends by addTransceiver).
    const { page: applicant, guestId } = await applicantRoomPage(applicantBrowser, inviteUrl, sessionId, () => {
      const add = RTCPeerConnection.prototype.addTransceiver;
      RTCPeerConnection.prototype.addTransceiver = function (this: RTCPeerConnection, ...args) {
        const transceiver = add.apply(this, args);
        (window.__senders ??= []).push(transceiver.sender);
        return transceiver;
      };
    });
    const deadline = Date.now() + 60_000;
    while ((await app.app.services.recording.recordedSegments(sessionId, `guest:${guestId}`)) === 0) {
      if (Date.now() > deadline) throw new Error("no recorded segment of the applicant's camera");
      await new Promise((r) => setTimeout(r, 500));
    }
    const layers = await applicant.evaluate(async () => {
      // The camera's sender is the last video one (the pre-join probe sent video first, and stopped).
      const sender = window.__senders!.filter((s) => s.track?.kind === 'video').pop()!;
      const params = sender.getParameters();
      params.encodings[params.encodings.length - 1]!.active = false;
      await sender.setParameters(params);
      return params.encodings.length;
    });
    await new Promise((r) => setTimeout(r, 3000));
    console.log(`[id-card] the applicant's camera, its top layer of ${layers} off: ${await sendLayers(applicant)}`);
    const started = Date.now();
    await cixi.getByTestId('snapshot-id').click();
    const advice = cixi.getByTestId('id-check');
    await advice.waitFor({ timeout: 120_000 });
    console.log(`[id-card] snapshot + OCR shown after ${Date.now() - started} ms`);
    const text = async (id: string) => (await cixi.getByTestId(id).innerText()).replace(/\s+/g, ' ');
    for (const key of ['name', 'sex', 'birth', 'idNumber', 'address'])
      console.log(`[id-card] ${key}: ${await text(`id-field-${key}`)}`);
    expect(await text('id-field-name')).toContain(fictionalPerson.name);
    expect(await text('id-field-birth')).toContain(fictionalPerson.birth);
    expect(await text('id-field-idNumber')).toContain('3302**********1231');
    for (const key of ['checksum', 'matchesApplicant', 'nameMatches', 'birthMatches']) {
      const status = await cixi.getByTestId(`id-check-${key}`).getAttribute('data-status');
      console.log(`[id-card] check ${key}: ${status}`);
      expect(status).toBe('pass');
    }
    // The snapshot the server took (and chained) is a frame of the camera's full resolution.
    const [snap] = app.app.services.db.sql
      .prepare("SELECT sha256 FROM snapshots WHERE session_id = ? AND kind = 'id'")
      .all(sessionId) as { sha256: string }[];
    const jpeg = join(dir, 'id-snapshot.jpg');
    writeFileSync(jpeg, await app.app.services.blobs.get(snap!.sha256));
    const size = frameSize(jpeg);
    console.log(`[id-card] the ID snapshot: ${size.width}×${size.height}`);
    expect(size).toEqual({ width: testCamera.width, height: testCamera.height });
    console.log(`[id-card] the applicant's camera after the snapshot: ${await sendLayers(applicant)}`);
    mkdirSync(artifacts, { recursive: true });
    await advice.screenshot({ path: join(artifacts, 'id-check-advice.png') });
  });
});
