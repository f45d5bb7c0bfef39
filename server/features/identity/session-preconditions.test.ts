// Session preconditions of identity confirmation that flow-a.test.ts does not reach: a live room
// with everyone present but no recorder (recording_not_running), and presence after a crash (the
// next process closes what the dead one saw). Real media: `source scripts/worker-env.sh`.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Bot } from '../../../bench/support/Bot.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import { TestServer } from '../../test-support/TestServer.js';
import { closeLiveRoom, joinLiveRoom, openCaseWithGuest, stopSyntheticMedia } from '../../test-support/live-room.js';

const checklist = { faceVisible: true, idFrontShown: true, idBackShown: true, statedNameAndPurpose: true };
let server: TestServer;
let xingren: HttpClient;
let cixi: HttpClient;
const bots: Bot[] = [];

beforeAll(async () => {
  server = await TestServer.start({ seed: true, media: { record: false } });
  [xingren, cixi] = (await Promise.all(['clerk.xingren', 'clerk.cixi'].map((u) => server.login(u)))) as [
    HttpClient,
    HttpClient,
  ];
});

afterAll(async () => {
  await closeLiveRoom(bots);
  stopSyntheticMedia();
  await server?.dispose();
});

test('everyone present and consenting, but the session is not recorded → 409 recording_not_running', async () => {
  const c = await openCaseWithGuest(server, { xingren, cixi }, { name: '孙八', idNumber: '522501199404041234' });
  bots.push(...(await joinLiveRoom(server, c.sessionId, [c.guest, cixi, xingren])));
  const present = (await server.app.services.sessions.presence.of(c.sessionId)).filter((p) => p.present && p.consented);
  expect(present).toHaveLength(3);
  const refused = await cixi.post(`/api/cases/${c.id}/confirm-identity`, { checklist });
  expect(refused.status).toBe(409);
  expect(refused.json().error.code).toBe('recording_not_running');
  const snapshot = await cixi.post(`/api/cases/${c.id}/snapshots`, { kind: 'face' });
  expect(snapshot.status).toBe(409);
  expect(snapshot.json().error.code).toBe('recording_not_running');
});

test('a participant the previous process saw in a room (it crashed) is not present after a restart', async () => {
  const c = await openCaseWithGuest(server, { xingren, cixi }, { name: '周九', idNumber: '522501199505051234' });
  // As a killed process leaves it: a join written, no leave.
  await server.app.services.sessions.presence.record(c.sessionId, 'user:clerk.cixi', 'joined');
  expect((await server.app.services.sessions.presence.get(c.sessionId, 'user:clerk.cixi')).present).toBe(true);
  await closeLiveRoom(bots.splice(0));
  server = await server.restart();
  const after = await server.app.services.sessions.presence.get(c.sessionId, 'user:clerk.cixi');
  expect(after).toMatchObject({ present: false, firstJoinedAt: expect.any(String) });
  expect((await server.app.services.sessions.presence.of(c.sessionId)).filter((p) => p.present)).toEqual([]);
});
