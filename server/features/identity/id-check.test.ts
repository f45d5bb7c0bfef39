// ID card reading against a real server with a real live session (issue 15 §2, §6): the applicant's
// headless camera shows a synthetic 第二代居民身份证 (front, then back; 640×480, the card 600 px
// wide), the recorder records it, the handling clerk takes ID snapshots (frames of the recording)
// and has them read: the fields come back as rendered, the checks pass, the result is chained into
// the recording and printed in the 身份核验确认书. A case opened with another ID number is flagged.
// Every refusal is checked for its status and code. Needs the mediasoup worker: `source scripts/worker-env.sh`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Bot } from '../../../bench/support/Bot.js';
import { SyntheticMedia } from '../../../bench/support/SyntheticMedia.js';
import { completeScript } from '../../test-support/consent-script.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import { TestServer } from '../../test-support/TestServer.js';
import {
  closeLiveRoom,
  joinLiveRoom,
  openCaseWithGuest,
  stopSyntheticMedia,
  waitForRecordedSegments,
} from '../../test-support/live-room.js';
import {
  cardScene,
  charactersOff,
  fictionalPerson,
  i420Of,
  idNumberFor,
  renderIdCard,
} from '../../test-support/id-card.js';

const W = 640;
const H = 480;
const scene = (side: 'front' | 'back') => i420Of(cardScene(renderIdCard(fictionalPerson, side), W, H, 600));
const checklist = { faceVisible: true, idFrontShown: true, idBackShown: true, statedNameAndPurpose: true };

let server: TestServer;
let xingren: HttpClient;
let cixi: HttpClient;
let auditor: HttpClient;
let card: SyntheticMedia;
const bots: Bot[] = [];

interface LiveCase {
  id: string;
  sessionId: string;
  guest: HttpClient;
  guestPeer: string;
}

/** A case in session: both clerks in the room, the applicant's camera showing the card. */
async function caseWithCard(idNumber: string): Promise<LiveCase> {
  const c = await openCaseWithGuest(server, { xingren, cixi }, { name: fictionalPerson.name, idNumber });
  const applicant = new Bot({
    url: server.url,
    sessionId: c.sessionId,
    cookie: c.guest.cookie!,
    media: card,
    ca: server.rootPem,
  });
  bots.push(applicant);
  await applicant.start();
  bots.push(...(await joinLiveRoom(server, c.sessionId, [cixi, xingren])));
  await waitForRecordedSegments(server, c.sessionId, c.guestPeer);
  return c;
}

const snapshot = (c: LiveCase, kind: 'face' | 'id') => cixi.post(`/api/cases/${c.id}/snapshots`, { kind });
const readId = (client: HttpClient, c: LiveCase, snapshotId: string) =>
  client.post(`/api/cases/${c.id}/snapshots/${snapshotId}/id-read`);

function printRead(
  label: string,
  r: { side: string; elapsedMs: number; engine: string; fields: object; checks: object },
) {
  console.log(`${label}: side ${r.side}, ${r.elapsedMs} ms (${r.engine})`);
  for (const [k, f] of Object.entries(r.fields) as [string, { value: string; confidence: number }][])
    console.log(`  ${k}: ${f.value} (confidence ${f.confidence})`);
  console.log('  checks:', JSON.stringify(r.checks));
}

let live: LiveCase;
let frontSnapshot: string;
let faceSnapshot: string;

beforeAll(async () => {
  server = await TestServer.start({ seed: true, media: { segmentSeconds: 2 } });
  [xingren, cixi, auditor] = (await Promise.all(
    ['clerk.xingren', 'clerk.cixi', 'auditor'].map((u) => server.login(u)),
  )) as [HttpClient, HttpClient, HttpClient];
  card = new SyntheticMedia({ width: W, height: H, fps: 15, still: scene('front') });
  live = await caseWithCard(fictionalPerson.idNumber);
}, 180_000);

afterAll(async () => {
  await closeLiveRoom(bots);
  card?.stop();
  stopSyntheticMedia();
  await server?.dispose();
});

describe('ID card reading (issue 15 §2)', () => {
  test('refusals: no read yet 404; a face snapshot 409 snapshot_not_id; unknown snapshot 404; bad id 400', async () => {
    const none = await cixi.get(`/api/cases/${live.id}/id-check`);
    expect(none.status).toBe(404);
    expect(none.json().error.code).toBe('not_found');
    const face = await snapshot(live, 'face');
    expect(face.status, face.text).toBe(201);
    faceSnapshot = face.json().id;
    const notId = await readId(cixi, live, faceSnapshot);
    console.log('read a face snapshot →', notId.status, notId.text);
    expect(notId.status).toBe(409);
    expect(notId.json().error.code).toBe('snapshot_not_id');
    const unknown = await readId(cixi, live, '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    const bad = await cixi.post(`/api/cases/${live.id}/snapshots/not-a-uuid/id-read`);
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBe('invalid_request');
  });

  test('front: the server reads its own ID snapshot; fields as rendered, number masked, checks pass', async () => {
    const snap = await snapshot(live, 'id');
    expect(snap.status, snap.text).toBe(201);
    frontSnapshot = snap.json().id;
    // Only the handling clerk: the originating clerk and the auditor are refused.
    for (const [who, client] of [
      ['clerk.xingren', xingren],
      ['auditor', auditor],
    ] as const) {
      const refused = await readId(client, live, frontSnapshot);
      console.log(`read by ${who} →`, refused.status, refused.text);
      expect(refused.status).toBe(403);
      expect(refused.json().error.code).toBe('forbidden');
    }
    const read = await readId(cixi, live, frontSnapshot);
    expect(read.status, read.text).toBe(201);
    const r = read.json();
    printRead('front read from the recorded video', r);
    expect(r.side).toBe('front');
    expect(r.fields.name.value).toBe(fictionalPerson.name);
    // One character at video resolution is sometimes not read (then its check is 'unread'), never misread.
    if (r.fields.sex) expect(r.fields.sex.value).toBe(fictionalPerson.sex);
    expect(r.fields.birth.value).toBe(fictionalPerson.birth);
    expect(r.fields.idNumber.value).toBe('3302**********1231');
    // The address has no check to pass: the clerk reads it beside the picture. At video resolution up to three of
    // its 21 characters are sometimes misread (seen: 号 as 与, 慈 as 枇, 白 as 日, all three once in CI), so it is
    // held to within three: a read that is not the address at all is still caught.
    const address = fictionalPerson.address.join('');
    const off = charactersOff(r.fields.address.value, address);
    console.log(`address read: ${r.fields.address.value} · ${off} of ${[...address].length} characters off`);
    expect(off).toBeLessThanOrEqual(3);
    expect(r.checks).toMatchObject({
      checksum: 'pass',
      matchesApplicant: 'pass',
      nameMatches: 'pass',
      birthMatches: 'pass',
      validity: 'unread',
    });
    expect(r.checks.sexMatches).toBe(r.fields.sex ? 'pass' : 'unread');
    expect(r.engine).toMatch(/^tesseract \d/);
    // Chained into the recording beside the snapshot, as JSON without the number in clear.
    const link = (await server.app.services.recording.store.segments(live.sessionId))[r.chainIndex]!;
    expect(link).toMatchObject({ track: 'entry:id-read', chainHash: r.chainHash, participant: live.guestPeer });
    const entry = readFileSync(
      join((await server.app.services.recording.directory(live.sessionId))!, link.file),
      'utf8',
    );
    expect(JSON.parse(entry)).toMatchObject({
      format: 'tongban-id-read/1',
      side: 'front',
      snapshot: { id: frontSnapshot },
    });
    expect(entry).not.toContain(fictionalPerson.idNumber);
    const row = server.app.services.db.sql.prepare('SELECT fields_json FROM id_reads WHERE id = ?').get(r.id) as {
      fields_json: string;
    };
    expect(row.fields_json).not.toContain(fictionalPerson.idNumber);
  });

  test('back: the applicant turns the card; validity read and valid; the merged check passes', async () => {
    card.show(scene('back'));
    await new Promise((r) => setTimeout(r, 1500));
    const snap = await snapshot(live, 'id');
    expect(snap.status, snap.text).toBe(201);
    const read = await readId(cixi, live, snap.json().id);
    expect(read.status, read.text).toBe(201);
    const r = read.json();
    printRead('back read from the recorded video', r);
    expect(r.side).toBe('back');
    expect(r.fields.validFrom.value).toBe('2016-05-20');
    expect(r.fields.validTo.value).toBe('2036-05-20');
    expect(r.checks).toMatchObject({ validity: 'pass', validityState: 'valid' });
    const check = await auditor.get(`/api/cases/${live.id}/id-check`);
    expect(check.status, check.text).toBe(200);
    const merged = check.json();
    expect(Object.values(merged.checks)).not.toContain('fail');
    expect(merged.allPassed).toBe(merged.checks.sexMatches === 'pass');
    expect(merged).toMatchObject({
      front: { snapshotId: frontSnapshot },
      fields: { name: { value: fictionalPerson.name }, validTo: { value: '2036-05-20' } },
    });
  });

  test('the 身份核验确认书 prints the ID check; after confirmation reading is refused 409 invalid_state', async () => {
    await completeScript(cixi, live.id);
    const confirmed = await cixi.post(`/api/cases/${live.id}/confirm-identity`, { checklist });
    expect(confirmed.status, confirmed.text).toBe(201);
    const pdf = await cixi.get(`/api/documents/${confirmed.json().documentId}`);
    expect(pdf.status).toBe(200);
    const text = spawnSync('pdftotext', ['-', '-'], { input: pdf.body }).stdout.toString();
    const section = text.slice(text.indexOf('证件识别 ID check'), text.indexOf('核验截图 Snapshots'));
    console.log('身份核验确认书, ID check section (pdftotext):\n' + section);
    expect(section).toContain('3302**********1231');
    expect(section).toContain(fictionalPerson.name);
    expect(section).toContain('2036-05-20');
    expect(section).toContain('通过 pass · 号码与申请人一致');
    expect(section).not.toContain('FAIL');
    const late = await readId(cixi, live, frontSnapshot);
    expect(late.status).toBe(409);
    expect(late.json().error.code).toBe('invalid_state');
  });

  test("a case opened with another ID number: the card's number is flagged as not the applicant's", async () => {
    card.show(scene('front'));
    const other = await caseWithCard(idNumberFor('330282', '19900101', '002'));
    const snap = await snapshot(other, 'id');
    expect(snap.status, snap.text).toBe(201);
    const read = await readId(cixi, other, snap.json().id);
    expect(read.status, read.text).toBe(201);
    printRead('front read for a case opened with another number', read.json());
    expect(read.json().checks).toMatchObject({ checksum: 'pass', matchesApplicant: 'fail', nameMatches: 'pass' });
    expect((await cixi.get(`/api/cases/${other.id}/id-check`)).json().allPassed).toBe(false);
  });
});
