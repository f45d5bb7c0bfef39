// Issue 12 §1 and §3 against a real server: each invitation is its own guest principal, only the
// case's two clerks invite, a newer code revokes the unused ones, a session admits one applicant,
// the applicant slot is bound to that guest, and guest access (cookies, unused codes) ends with the
// session. Case xingren → cixi: clerk.xingren opened it (originating clerk, the witness), clerk.cixi
// accepted it (handling clerk); clerk.xingren2 is another clerk of the originating site.
// Sessions are live for real: the applicant and both clerks join the media room as headless WebRTC
// participants and the recorder chains their media, as confirmation and archive require (§2).
// Needs the mediasoup worker: `source scripts/worker-env.sh`.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Bot } from '../../../bench/support/Bot.js';
import { DEMO_PIN } from '../../demo/demo-data.js';
import type { HttpClient, TestResponse } from '../../test-support/HttpClient.js';
import { TestServer } from '../../test-support/TestServer.js';
import { handwritingDataUrl } from '../../test-support/flow-fixtures.js';
import { completeScript } from '../../test-support/consent-script.js';
import {
  closeLiveRoom,
  joinLiveRoom,
  stopSyntheticMedia,
  waitForRecordedSegments,
} from '../../test-support/live-room.js';
import type { AppError } from '../../kernel/errors.js';
import { guestActor } from '../../kernel/principal.js';

const checklist = { faceVisible: true, idFrontShown: true, idBackShown: true, statedNameAndPurpose: true };
let server: TestServer;
let xingren: HttpClient;
let xingren2: HttpClient;
let cixi: HttpClient;
const bots: Bot[] = [];

const refusal = (r: TestResponse) => [r.status, (r.json() as { error?: { code?: string } }).error?.code];

async function caseInSession(name: string, idNumber: string): Promise<{ caseId: string; sessionId: string }> {
  const created = await xingren.post('/api/cases', {
    matterId: 'shebao-tingjiao',
    handlingSite: 'cixi',
    applicant: { name, idNumber },
  });
  expect(created.status).toBe(201);
  const caseId = created.json().id as string;
  const accepted = await cixi.post(`/api/cases/${caseId}/accept`);
  expect(accepted.status).toBe(200);
  return { caseId, sessionId: accepted.json().sessionId };
}

async function invite(clerk: HttpClient, caseId: string): Promise<{ code: string; sessionId: string }> {
  const r = await clerk.post(`/api/cases/${caseId}/invitations`);
  expect(r.status).toBe(201);
  return r.json();
}

/** Redeems a code in a fresh browser; returns that browser and the guest id it became. */
async function redeem(code: string): Promise<{ client: HttpClient; guestId: string }> {
  const client = server.client();
  const joined = await client.post('/api/join', { code });
  expect(joined.status).toBe(200);
  return { client, guestId: joined.json().guestId };
}

/** The applicant and both clerks in the media room; returns once the applicant's media is recorded. */
async function goLive(sessionId: string, applicant: { client: HttpClient; guestId: string }): Promise<void> {
  bots.push(...(await joinLiveRoom(server, sessionId, [applicant.client, cixi, xingren])));
  await waitForRecordedSegments(server, sessionId, guestActor(applicant.guestId));
}

/** The handling clerk has the server take both snapshots from the recording, then confirms. */
async function confirmIdentity(caseId: string): Promise<string> {
  for (const kind of ['face', 'id']) {
    const snap = await cixi.post(`/api/cases/${caseId}/snapshots`, { kind });
    expect(snap.status, snap.text).toBe(201);
  }
  await completeScript(cixi, caseId);
  const confirmed = await cixi.post(`/api/cases/${caseId}/confirm-identity`, { checklist });
  expect(confirmed.status, confirmed.text).toBe(201);
  return confirmed.json().documentId;
}

/**
 * The applicant joins with `code` and goes live with both clerks, the handling clerk confirms and
 * all three sign; returns the signed document.
 */
async function signedByAll(caseId: string, sessionId: string, code: string) {
  const applicant = await redeem(code);
  await goLive(sessionId, applicant);
  const documentId = await confirmIdentity(caseId);
  for (const [signer, body] of [
    [applicant.client, { handwriting: handwritingDataUrl() }],
    [xingren, { pin: DEMO_PIN }],
    [cixi, { pin: DEMO_PIN }],
  ] as const)
    expect((await signer.post(`/api/documents/${documentId}/sign`, body)).status).toBe(200);
  return { applicant, documentId };
}

beforeAll(async () => {
  server = await TestServer.start({ seed: true, media: { segmentSeconds: 2 } });
  await server.app.services.users.create({
    id: 'clerk.xingren2',
    username: 'clerk.xingren2',
    displayName: '兴仁窗口 第二',
    role: 'clerk',
    siteId: 'xingren',
    password: 'second-clerk-password',
    // As the demo seed creates its clerks: no first-login password change in the way of the attacks.
    mustChangePassword: false,
  });
  [xingren, cixi] = await Promise.all([server.login('clerk.xingren'), server.login('clerk.cixi')]);
  xingren2 = await server.login('clerk.xingren2', 'second-clerk-password');
});

afterAll(async () => {
  await closeLiveRoom(bots.splice(0));
  stopSyntheticMedia();
  await server?.dispose();
});

describe('applicant binding (issue 12 §1)', () => {
  let caseId: string;
  let sessionId: string;
  let applicant: { client: HttpClient; guestId: string };
  let documentId: string;

  test('attack: witness clerk creates a code, redeems it and signs the applicant slot', async () => {
    ({ caseId, sessionId } = await caseInSession('王五', '522501199001011234'));

    // A clerk of the originating site who is neither the handling nor the originating clerk: no code.
    const notCaseClerk = await xingren2.post(`/api/cases/${caseId}/invitations`);
    console.log(`[attack] clerk.xingren2 creates a code: ${notCaseClerk.status} ${notCaseClerk.text}`);
    expect(refusal(notCaseClerk)).toEqual([403, 'forbidden']);

    // The handling clerk's code is replaced by the originating clerk's: the older one no longer redeems.
    const first = await invite(cixi, caseId);
    const second = await invite(xingren, caseId);
    const revoked = await server.client().post('/api/join', { code: first.code });
    console.log(`[attack] replaced code redeemed: ${revoked.status} ${revoked.text}`);
    expect(refusal(revoked)).toEqual([403, 'invitation_invalid']);
    applicant = await redeem(second.code);
    await goLive(sessionId, applicant);

    // The witness (originating clerk, who may invite) cannot get a second code into the live session...
    const again = await xingren.post(`/api/cases/${caseId}/invitations`);
    console.log(`[attack] witness creates a code for the live session: ${again.status} ${again.text}`);
    expect(refusal(again)).toEqual([409, 'applicant_already_joined']);

    // ...so he redeems a code of another case he legitimately opened: a guest cookie of another invitation.
    const other = await caseInSession('赵六', '522501199202021234');
    const witnessAsGuest = await redeem((await invite(xingren, other.caseId)).code);
    expect(witnessAsGuest.guestId).not.toBe(applicant.guestId);
    expect((await witnessAsGuest.client.get(`/api/sessions/${sessionId}`)).status).toBe(403);

    documentId = await confirmIdentity(caseId);
    const sign = (c: HttpClient, body: Record<string, string>) => c.post(`/api/documents/${documentId}/sign`, body);
    const asOtherGuest = await sign(witnessAsGuest.client, { handwriting: handwritingDataUrl() });
    console.log(
      `[attack] witness with another invitation's guest cookie signs: ${asOtherGuest.status} ${asOtherGuest.text}`,
    );
    expect(refusal(asOtherGuest)).toEqual([403, 'forbidden']);
    const asStaff = await sign(xingren, { handwriting: handwritingDataUrl(), pin: DEMO_PIN });
    console.log(`[attack] witness with his staff login signs first: ${asStaff.status} ${asStaff.text}`);
    expect(refusal(asStaff)).toEqual([409, 'not_your_turn']);
    expect(refusal(await sign(xingren2, { pin: DEMO_PIN }))).toEqual([403, 'forbidden']);

    // Even a guest principal that names this very session but another invitation (a forged or
    // leftover login row) is refused by the slot itself, below the participant check.
    const forged = {
      kind: 'guest' as const,
      guestId: witnessAsGuest.guestId,
      sessionId,
      caseId,
      displayName: '王五',
    };
    const slotRefusal = await server.app.services.signing
      .sign(forged, documentId, { handwriting: handwritingDataUrl() })
      .then(
        () => undefined,
        (err: AppError) => err,
      );
    console.log(`[attack] forged guest of the session signs: ${slotRefusal?.status} ${slotRefusal?.code}`);
    expect([slotRefusal?.status, slotRefusal?.code]).toEqual([403, 'applicant_not_bound']);

    // The applicant who joined signs; then the witness and the handling clerk.
    expect((await sign(applicant.client, { handwriting: handwritingDataUrl() })).status).toBe(200);
    expect((await sign(xingren, { pin: DEMO_PIN })).status).toBe(200);
    expect((await sign(cixi, { pin: DEMO_PIN })).json().status).toBe('signed');

    // Audit log and certificate name the invitation's guest, distinct per invitation.
    const audit = server.app.services.audit;
    const joins = (await audit.list({ action: 'session.guest_joined', limit: 50, offset: 0 })).entries;
    expect(joins.find((e) => e.target === `session:${sessionId}`)?.actor).toBe(`guest:${applicant.guestId}`);
    expect(joins.find((e) => e.target === `session:${other.sessionId}`)?.actor).toBe(`guest:${witnessAsGuest.guestId}`);
    expect(new Set(joins.map((e) => e.actor)).size).toBe(joins.length);
    const signed = await audit.list({
      action: 'document.signed',
      target: `document:${documentId}`,
      limit: 10,
      offset: 0,
    });
    expect(signed.entries.map((e) => e.actor).sort()).toEqual(
      [`guest:${applicant.guestId}`, 'user:clerk.cixi', 'user:clerk.xingren'].sort(),
    );
    const eventCert = (await server.app.services.pki.certificates({})).find(
      (c: { kind: string; eventId: string | null }) => c.kind === 'event' && c.eventId?.includes(documentId),
    );
    expect(eventCert?.subject).toContain(`guest:${applicant.guestId}`);
    expect((await server.app.services.sessions.joinedApplicant(sessionId))?.guestId).toBe(applicant.guestId);
    await closeLiveRoom(bots.splice(0));
  });

  test('attack: second code for a live session', async () => {
    const live = await caseInSession('钱七', '522501199303031234');
    const { code } = await invite(cixi, live.caseId);
    const first = await redeem(code);
    for (const clerk of [cixi, xingren]) {
      const r = await clerk.post(`/api/cases/${live.caseId}/invitations`);
      console.log(`[attack] second code for a live session: ${r.status} ${r.text}`);
      expect(refusal(r)).toEqual([409, 'applicant_already_joined']);
    }
    const reused = await server.client().post('/api/join', { code });
    expect(refusal(reused)).toEqual([403, 'invitation_invalid']);
    // The first applicant stays: the only guest of the session, still admitted.
    const session = (await first.client.get(`/api/sessions/${live.sessionId}`)).json();
    expect(session.participants.filter((p: { guest: boolean }) => p.guest)).toEqual([
      expect.objectContaining({ participantId: `guest:${first.guestId}`, role: 'applicant' }),
    ]);
    // Two admissions racing for one session: the second is refused, never a replacement.
    await expect(
      server.app.services.sessions.admitApplicant(live.sessionId, { guestId: 'racing', displayName: 'x' }),
    ).rejects.toMatchObject({ code: 'applicant_already_joined', status: 409 });
  });
});

describe('guest access ends with the session (issue 12 §3)', () => {
  test('attack: unused code after archive', async () => {
    // Archiving (and cancelling, below) ends the session.
    const { caseId, sessionId } = await caseInSession('孙八', '522501199404041234');
    const unused = await invite(cixi, caseId);
    const used = await invite(xingren, caseId); // revokes `unused`
    await signedByAll(caseId, sessionId, used.code);
    expect((await cixi.post(`/api/cases/${caseId}/archive`)).status).toBe(201);
    for (const code of [unused.code, used.code]) {
      const r = await server.client().post('/api/join', { code });
      console.log(`[attack] code after archive: ${r.status} ${r.text}`);
      expect(refusal(r)).toEqual([403, 'invitation_invalid']);
    }
    expect(refusal(await cixi.post(`/api/cases/${caseId}/invitations`))).toEqual([409, 'no_open_session']);
    await closeLiveRoom(bots.splice(0));

    // A code still open when its session ends (here: the case is withdrawn) is revoked by the end...
    const withdrawn = await caseInSession('周九', '522501199505051234');
    const pending = await invite(xingren, withdrawn.caseId);
    expect((await xingren.post(`/api/cases/${withdrawn.caseId}/cancel`, { reason: '申请人撤回' })).status).toBe(200);
    const afterCancel = await server.client().post('/api/join', { code: pending.code });
    console.log(`[attack] unused code after the session ended: ${afterCancel.status} ${afterCancel.text}`);
    expect(refusal(afterCancel)).toEqual([403, 'invitation_invalid']);
    const ended = (
      await server.app.services.audit.list({
        action: 'session.guest_access_ended',
        target: `session:${withdrawn.sessionId}`,
        limit: 5,
        offset: 0,
      })
    ).entries;
    expect(ended[0]?.details).toMatchObject({ unusedInvitations: 1 });
    // ...and one that escaped revocation (as rows written before this check) meets the session check.
    await server.app.services.db.run('UPDATE invitations SET revoked_at = NULL WHERE session_id = ?', [
      withdrawn.sessionId,
    ]);
    const escaped = await server.client().post('/api/join', { code: pending.code });
    expect(refusal(escaped)).toEqual([409, 'session_ended']);
  });

  test('attack: old guest cookie downloads the signed PDF after archive', async () => {
    const { caseId, sessionId } = await caseInSession('吴十', '522501199606061234');
    const { applicant, documentId } = await signedByAll(caseId, sessionId, (await invite(cixi, caseId)).code);
    const before = await applicant.client.get(`/api/documents/${documentId}`);
    expect(before.status).toBe(200);
    expect(before.body.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await cixi.post(`/api/cases/${caseId}/archive`)).status).toBe(201);
    const after = await applicant.client.get(`/api/documents/${documentId}`);
    console.log(`[attack] old guest cookie downloads the signed PDF after archive: ${after.status} ${after.text}`);
    expect(refusal(after)).toEqual([401, 'unauthenticated']);
    expect((await applicant.client.get('/api/me')).status).toBe(401);
    await closeLiveRoom(bots.splice(0));
  });
});
