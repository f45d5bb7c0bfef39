// A flow A case run for real up to its archived record with a finished playback composite: the
// applicant and both clerks join the live room as headless participants, the handling clerk takes a
// face snapshot and, some seconds later, an ID snapshot, confirms, the three sign, the case is
// archived and the composite rendered. Every instant the timeline should show is noted on the way
// (wall-clock bounds taken by the test itself), for the timeline and redaction tests.
import type { Bot } from '../../bench/support/Bot.js';
import { DEMO_PIN } from '../demo/demo-data.js';
import { completeScript } from './consent-script.js';
import { handwritingDataUrl } from './flow-fixtures.js';
import type { HttpClient } from './HttpClient.js';
import { joinLiveRoom, openCaseWithGuest, waitForRecordedSegments, type LiveServer } from './live-room.js';

export interface RecordedRecord {
  readonly recordId: string;
  readonly caseId: string;
  readonly sessionId: string;
  readonly applicantPeer: string;
  readonly bots: Bot[];
  /** Wall-clock bounds (ms since the epoch) around each step. */
  readonly joined: { readonly from: number; readonly to: number };
  readonly signed: { readonly from: number; readonly to: number };
  /** The snapshots as the API answered (offsets in ms from the recording's start). */
  readonly snapshots: {
    readonly face: { offsetMs: number; id: string };
    readonly id: { offsetMs: number; id: string };
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the case; `gapMs` separates the face snapshot, the ID snapshot and the end of the session. */
export async function recordedRecord(
  server: LiveServer,
  login: (username: string) => Promise<HttpClient>,
  applicant: { readonly name: string; readonly idNumber: string },
  gapMs = 9_000,
): Promise<RecordedRecord> {
  const [xingren, cixi] = await Promise.all([login('clerk.xingren'), login('clerk.cixi')]);
  const { id: caseId, sessionId, guest, guestPeer } = await openCaseWithGuest(server, { xingren, cixi }, applicant);
  const joinedFrom = Date.now();
  const bots = await joinLiveRoom(server, sessionId, [guest, cixi, xingren]);
  const joinedTo = Date.now();
  await waitForRecordedSegments(server, sessionId, guestPeer, 2);
  const snap = async (kind: 'face' | 'id') => {
    const res = await cixi.post(`/api/cases/${caseId}/snapshots`, { kind });
    if (res.status !== 201) throw new Error(`snapshot ${kind}: ${res.status} ${res.text}`);
    return res.json<{ offsetMs: number; id: string }>();
  };
  const face = await snap('face');
  await sleep(gapMs);
  const id = await snap('id');
  await completeScript(cixi, caseId);
  const confirmed = await cixi.post(`/api/cases/${caseId}/confirm-identity`, {
    checklist: { faceVisible: true, idFrontShown: true, idBackShown: true, statedNameAndPurpose: true },
  });
  if (confirmed.status !== 201) throw new Error(`confirm: ${confirmed.status} ${confirmed.text}`);
  const documentId = confirmed.json<{ documentId: string }>().documentId;
  const signedFrom = Date.now();
  for (const [client, body] of [
    [guest, { handwriting: handwritingDataUrl() }],
    [xingren, { pin: DEMO_PIN }],
    [cixi, { pin: DEMO_PIN }],
  ] as const) {
    const res = await client.post(`/api/documents/${documentId}/sign`, body);
    if (res.status !== 200) throw new Error(`sign: ${res.status} ${res.text}`);
  }
  const signedTo = Date.now();
  // The session goes on past the ID window, so the composite has unredacted picture after it.
  await sleep(Math.max(0, gapMs - (signedTo - signedFrom)));
  const archived = await cixi.post(`/api/cases/${caseId}/archive`);
  if (archived.status !== 201) throw new Error(`archive: ${archived.status} ${archived.text}`);
  const deadline = Date.now() + 240_000;
  for (;;) {
    const state = await server.app.services.recording.compositeState(sessionId);
    if (state?.status === 'ready') break;
    if (state?.status === 'failed' || Date.now() > deadline)
      throw new Error(`composite of ${sessionId}: ${JSON.stringify(state)}`);
    await sleep(500);
  }
  return {
    recordId: archived.json<{ recordId: string }>().recordId,
    caseId,
    sessionId,
    applicantPeer: guestPeer,
    bots,
    joined: { from: joinedFrom, to: joinedTo },
    signed: { from: signedFrom, to: signedTo },
    snapshots: { face, id },
  };
}
