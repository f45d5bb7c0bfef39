// Face match and liveness advice through the real HTTP API and a real live session (issue 15 §3).
// The applicant is a headless WebRTC participant whose synthetic camera plays y4m videos built from
// the face pictures in test-support/face-fixtures.ts: first a fictional ID card held up (portrait:
// one photo of a man), then the same man live (another photo), then his head turning left and right,
// then the still photo. Everything the server judges is what its recorder chained: snapshots and
// liveness frames are decoded from the applicant's recorded segments.
// Covered: each refusal with status and code, match → pass with score and model, liveness turn →
// pass, still photo → doubt, the prompt pushed to the applicant's screen, one check at a time, the
// results as JSON links of the recording chain, the clerk's decision kept apart (once only), the
// 身份核验确认书's section (pdftotext) and the recording verifying afterwards.
// Needs the mediasoup worker: `source scripts/worker-env.sh`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Bot } from '../../../../bench/support/Bot.js';
import { SyntheticMedia } from '../../../../bench/support/SyntheticMedia.js';
import type { FaceCheck } from '../../../../protocol/http/face-check.js';
import type { LivenessPromptEvent } from '../../../../protocol/socket.js';
import { completeScript } from '../../../test-support/consent-script.js';
import type { HttpClient } from '../../../test-support/HttpClient.js';
import { TestServer } from '../../../test-support/TestServer.js';
import { faceScene, idCardScene, readY4m, SCENE, y4mOf } from '../../../test-support/face-fixtures.js';
import {
  closeLiveRoom,
  joinLiveRoom,
  openCaseWithGuest,
  stopSyntheticMedia,
  waitForRecordedSegments,
} from '../../../test-support/live-room.js';
import { MATCH_THRESHOLD, TURN_THRESHOLD_DEG } from './judge.js';

let server: TestServer;
let xingren: HttpClient;
let cixi: HttpClient;
let auditor: HttpClient;
let guest: HttpClient;
let caseId: string;
let sessionId: string;
let applicantPeer: string;
let dir: string;
let camera: SyntheticMedia;
let clips: Record<'card' | 'face' | 'turn' | 'still', Uint8Array[]>;
let matchId: string;
const bots: Bot[] = [];
const prompts: LivenessPromptEvent[] = [];
const log = (...parts: unknown[]) => console.log('[face-check]', ...parts);

const faceMatch = (client: HttpClient, id = caseId) => client.post(`/api/cases/${id}/face-match`);
const liveness = (client: HttpClient, prompt: string, id = caseId) =>
  client.post(`/api/cases/${id}/liveness`, { prompt });
const decide = (client: HttpClient, checkId: string, decision: string) =>
  client.post(`/api/cases/${caseId}/face-checks/${checkId}/decision`, { decision });
const refusal = (r: { status: number; json(): { error: { code: string } } }) => [r.status, r.json().error.code];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-face-check-'));
  const png = (name: string) => join(dir, `${name}.png`);
  const clip = (name: string, pngs: string[], hold: number) =>
    readY4m(y4mOf(pngs, join(dir, `${name}.y4m`), hold)).frames;
  const centre = faceScene('authorLarge', png('centre'));
  clips = {
    card: clip('card', [idCardScene('authorSecond', png('card'))], 15),
    face: clip('face', [centre], 15),
    // Left, centre, right, centre, 5 frames each: one sweep every 1.33 s at 15 fps.
    turn: clip(
      'turn',
      [faceScene('authorLarge', png('left'), -1), centre, faceScene('authorLarge', png('right'), 1), centre],
      5,
    ),
    still: clip('still', [centre], 15),
  };
  camera = new SyntheticMedia({ ...SCENE, fps: 15 });
  camera.play(clips.card);
  server = await TestServer.start({ seed: true, media: { segmentSeconds: 2 } });
  [xingren, cixi, auditor] = (await Promise.all(
    ['clerk.xingren', 'clerk.cixi', 'auditor'].map((u) => server.login(u)),
  )) as [HttpClient, HttpClient, HttpClient];
  ({
    id: caseId,
    sessionId,
    guest,
    guestPeer: applicantPeer,
  } = await openCaseWithGuest(server, { xingren, cixi }, { name: '测试人', idNumber: '522501199001011234' }));
}, 180_000);

afterAll(async () => {
  await closeLiveRoom(bots);
  camera?.stop();
  stopSyntheticMedia();
  await server?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('face checks: refusals before the room is ready', () => {
  test('the originating clerk and the auditor may not run or decide checks → 403 forbidden', async () => {
    expect(refusal(await faceMatch(xingren))).toEqual([403, 'forbidden']);
    expect(refusal(await liveness(xingren, 'turn_head'))).toEqual([403, 'forbidden']);
    expect(refusal(await faceMatch(auditor))).toEqual([403, 'forbidden']);
    expect(refusal(await decide(xingren, '00000000-0000-4000-8000-000000000000', 'accepted'))).toEqual([
      403,
      'forbidden',
    ]);
  });

  test('bad input → 400 invalid_request: unknown prompt, unknown decision, extra field, a case id that is no uuid', async () => {
    expect(refusal(await liveness(cixi, 'smile'))).toEqual([400, 'invalid_request']);
    expect(refusal(await decide(cixi, '00000000-0000-4000-8000-000000000000', 'maybe'))).toEqual([
      400,
      'invalid_request',
    ]);
    const extra = await cixi.post(`/api/cases/${caseId}/liveness`, { prompt: 'blink', seconds: 60 });
    expect(refusal(extra)).toEqual([400, 'invalid_request']);
    expect(refusal(await faceMatch(cixi, 'not-a-case'))).toEqual([400, 'invalid_request']);
  });

  test('an unknown case or check → 404 not_found', async () => {
    expect(refusal(await faceMatch(cixi, '00000000-0000-4000-8000-000000000000'))).toEqual([404, 'not_found']);
    expect(refusal(await decide(cixi, '00000000-0000-4000-8000-000000000000', 'accepted'))).toEqual([404, 'not_found']);
  });

  test('no snapshots yet → 409 face_snapshots_missing; nobody in the room → liveness 409 applicant_not_present', async () => {
    expect(refusal(await faceMatch(cixi))).toEqual([409, 'face_snapshots_missing']);
    expect(refusal(await liveness(cixi, 'turn_head'))).toEqual([409, 'applicant_not_present']);
  });
});

describe('face checks in a live session', () => {
  test('the applicant shows the ID card, then the face: both snapshots come from the recording', async () => {
    const applicant = new Bot({ url: server.url, sessionId, cookie: guest.cookie!, media: camera, ca: server.rootPem });
    applicant.onPush('identity:liveness', (e) => prompts.push(e as LivenessPromptEvent));
    bots.push(applicant);
    await applicant.start();
    bots.push(...(await joinLiveRoom(server, sessionId, [cixi, xingren])));
    await waitForRecordedSegments(server, sessionId, applicantPeer, 2);
    const id = await cixi.post(`/api/cases/${caseId}/snapshots`, { kind: 'id' });
    expect(id.status, id.text).toBe(201);
    camera.play(clips.face);
    await sleep(1500);
    const face = await cixi.post(`/api/cases/${caseId}/snapshots`, { kind: 'face' });
    expect(face.status, face.text).toBe(201);
  }, 120_000);

  test('face match: the same man live and on the card → pass, with score, threshold, model; chained as JSON', async () => {
    const started = performance.now();
    const r = await faceMatch(cixi);
    expect(r.status, r.text).toBe(201);
    const check = r.json() as FaceCheck;
    matchId = check.id;
    log(
      `match: similarity ${check.score} (threshold ${check.threshold}) → ${check.label}; model ${check.model}; ` +
        `analysis ${check.analysisMs} ms, request ${Math.round(performance.now() - started)} ms`,
    );
    expect(check).toMatchObject({
      kind: 'match',
      prompt: null,
      label: 'pass',
      threshold: MATCH_THRESHOLD,
      decision: null,
    });
    expect(check.score).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
    expect(check.modelVersion).toBe('3.3.6');
    expect(check.model).toMatch(/^@vladmandic\/human 3\.3\.6 .*wasm\)$/);
    const link = (await server.app.services.recording.store.segments(sessionId))[check.chainIndex]!;
    expect(link).toMatchObject({
      track: 'entry:face-match',
      chainHash: check.chainHash,
      participant: applicantPeer,
    });
    const chained = JSON.parse(
      readFileSync(join((await server.app.services.recording.directory(sessionId))!, link.file), 'utf8'),
    );
    expect(chained).toMatchObject({ id: check.id, score: check.score, label: 'pass', modelVersion: '3.3.6' });
    const audit = (await auditor.get('/api/audit?action=face_check.advised&limit=5')).json().entries;
    expect(audit[0]).toMatchObject({ target: `case:${caseId}`, details: { check: check.id, label: 'pass' } });
  }, 120_000);

  test('liveness, head turning: the prompt reaches the applicant, the frames show the turn → pass; a second check meanwhile → 409 face_check_busy', async () => {
    camera.play(clips.turn);
    const running = liveness(cixi, 'turn_head');
    await sleep(300);
    expect(refusal(await faceMatch(cixi))).toEqual([409, 'face_check_busy']);
    const r = await running;
    expect(r.status, r.text).toBe(201);
    const check = r.json() as FaceCheck;
    const frames = 'frames' in check.details ? check.details.frames : [];
    log(
      `liveness turn_head (head turning): yaw range ${check.score}° (threshold ${check.threshold}°) → ${check.label}; ` +
        `frame yaws ${frames.map((f) => f.yawDeg).join(', ')}; analysis ${check.analysisMs} ms`,
    );
    expect(check).toMatchObject({
      kind: 'liveness',
      prompt: 'turn_head',
      label: 'pass',
      threshold: TURN_THRESHOLD_DEG,
    });
    expect(frames).toHaveLength(6);
    expect(frames.every((f) => f.found)).toBe(true);
    const segments = await server.app.services.recording.store.segments(sessionId);
    for (const f of frames) expect(segments[f.chainIndex]!.track).toMatch(/^snapshot:liveness-turn_head-\d$/);
    expect(prompts.map((p) => p.prompt)).toEqual(['turn_head', null]);
    expect(prompts[0]).toMatchObject({ sessionId, durationMs: 4000 });
  }, 180_000);

  test('liveness on a still photo → doubt', async () => {
    camera.play(clips.still);
    await sleep(1000);
    const r = await liveness(cixi, 'turn_head');
    expect(r.status, r.text).toBe(201);
    const check = r.json() as FaceCheck;
    log(
      `liveness turn_head (still photo): yaw range ${check.score}° → ${check.label}; analysis ${check.analysisMs} ms`,
    );
    expect(check.label).toBe('doubt');
    expect(check.score).toBeLessThan(TURN_THRESHOLD_DEG);
  }, 180_000);

  test("the clerk's decision is recorded apart from the advice, once", async () => {
    const r = await decide(cixi, matchId, 'accepted');
    expect(r.status, r.text).toBe(201);
    const check = r.json() as FaceCheck;
    expect(check).toMatchObject({
      id: matchId,
      label: 'pass',
      decision: { decision: 'accepted', decidedBy: 'clerk.cixi' },
    });
    const link = (await server.app.services.recording.store.segments(sessionId))[check.decision!.chainIndex]!;
    expect(link.track).toBe('entry:face-decision');
    expect(refusal(await decide(cixi, matchId, 'rejected'))).toEqual([409, 'face_check_decided']);
    const list = (await cixi.get(`/api/cases/${caseId}/face-checks`)).json().checks as FaceCheck[];
    expect(list.map((c) => [c.kind, c.label, c.decision?.decision ?? null])).toEqual([
      ['match', 'pass', 'accepted'],
      ['liveness', 'pass', null],
      ['liveness', 'doubt', null],
    ]);
    expect((await auditor.get(`/api/cases/${caseId}/face-checks`)).status).toBe(200);
  }, 60_000);

  test('the 身份核验确认书 prints scores, thresholds, model version and the decision; the recording verifies', async () => {
    const checklist = { faceVisible: true, idFrontShown: true, idBackShown: true, statedNameAndPurpose: true };
    await completeScript(cixi, caseId);
    const confirmed = await cixi.post(`/api/cases/${caseId}/confirm-identity`, { checklist });
    expect(confirmed.status, confirmed.text).toBe(201);
    const pdf = await cixi.get(`/api/documents/${confirmed.json().documentId}`);
    const text = spawnSync('pdftotext', ['-', '-'], { input: pdf.body }).stdout.toString();
    const section = text.slice(text.indexOf('人脸比对与活体检测'));
    log(`确认书 section (pdftotext):\n${section.slice(0, 1500)}`);
    const checks = (await cixi.get(`/api/cases/${caseId}/face-checks`)).json().checks as FaceCheck[];
    expect(section).toContain('人脸比对与活体检测');
    expect(section).toContain(`相似度 similarity ${checks[0]!.score!.toFixed(4)} / 阈值 threshold ${MATCH_THRESHOLD}`);
    expect(section).toContain(`转头幅度 yaw range ${checks[1]!.score}° / 阈值 threshold ${TURN_THRESHOLD_DEG}°`);
    expect(section).toContain('版本 version 3.3.6');
    expect(section).toContain('采纳 accepted');
    expect(section).toContain('存疑 doubt');
    const verification = await server.app.services.recording.verify(sessionId);
    expect(verification).toMatchObject({ valid: true, firstBadSegment: null });
  }, 120_000);
});
