// Headless participants with a synthetic camera and microphone in a TestServer's real media room
// (the bench's Bot: mediasoup-client on @roamhq/wrtc, our socket.io signalling, the HttpClient's
// session cookie). Presence, consent and the recording then come from the media plane itself.
import { Bot } from '../../bench/support/Bot.js';
import { SyntheticMedia } from '../../bench/support/SyntheticMedia.js';
import { guestActor } from '../kernel/principal.js';
import type { MediaNotification } from '../../protocol/media.js';
import type { HttpClient } from './HttpClient.js';
import type { TestServer } from './TestServer.js';

let sharedMedia: SyntheticMedia | undefined;

/** What these helpers need of a running server: a TestServer, or the e2e app (e2e/media/app-server.ts). */
export type LiveServer = Pick<TestServer, 'url' | 'rootPem' | 'client' | 'app'>;

/**
 * A flow A case from 兴仁 accepted by 慈溪, with its invitation redeemed by a fresh guest client
 * (who is not in the room yet).
 */
export async function openCaseWithGuest(
  server: LiveServer,
  clerks: { readonly xingren: HttpClient; readonly cixi: HttpClient },
  applicant: { readonly name: string; readonly idNumber: string },
): Promise<{ id: string; number: string; sessionId: string; guest: HttpClient; guestPeer: string }> {
  const created = await clerks.xingren.post('/api/cases', {
    matterId: 'shebao-tingjiao',
    handlingSite: 'cixi',
    applicant,
  });
  if (created.status !== 201) throw new Error(`create case: ${created.status} ${created.text}`);
  const { id, number } = created.json();
  const accepted = await clerks.cixi.post(`/api/cases/${id}/accept`);
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${accepted.text}`);
  const invitation = (await clerks.cixi.post(`/api/cases/${id}/invitations`)).json();
  const guest = server.client();
  const joined = await guest.post('/api/join', { code: invitation.code });
  if (joined.status !== 200) throw new Error(`join: ${joined.status} ${joined.text}`);
  return { id, number, sessionId: invitation.sessionId, guest, guestPeer: guestActor(joined.json().guestId) };
}

/** Joins (consents, publishes video and audio) one participant per client, in order. */
export async function joinLiveRoom(
  server: LiveServer,
  sessionId: string,
  clients: readonly HttpClient[],
): Promise<Bot[]> {
  sharedMedia ??= new SyntheticMedia({ width: 320, height: 240, fps: 15 });
  const bots: Bot[] = [];
  for (const client of clients) {
    if (!client.cookie) throw new Error('joinLiveRoom: the client is not logged in');
    const bot = new Bot({ url: server.url, sessionId, cookie: client.cookie, media: sharedMedia, ca: server.rootPem });
    bots.push(bot);
    await bot.start();
  }
  return bots;
}

/** Waits until the recorder has chained at least `count` segments of the participant's media. */
export async function waitForRecordedSegments(
  server: LiveServer,
  sessionId: string,
  participantId: string,
  count = 1,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await server.app.services.recording.recordedSegments(sessionId, participantId)) < count) {
    if (Date.now() > deadline)
      throw new Error(`no ${count} recorded segment(s) of ${participantId} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Leaves the room and stops the synthetic sources once nobody uses them. */
export async function closeLiveRoom(bots: readonly Bot[]): Promise<void> {
  await Promise.all(bots.map((b) => b.close()));
}

/** The camera and microphone every participant of joinLiveRoom sends (its framesSent counts frames). */
export function sharedSyntheticMedia(): SyntheticMedia | undefined {
  return sharedMedia;
}

export function stopSyntheticMedia(): void {
  sharedMedia?.stop();
  sharedMedia = undefined;
}

/** Every `media:notify` the bot receives from now on, in order. */
export function mediaNotices(bot: Bot): MediaNotification[] {
  const seen: MediaNotification[] = [];
  bot.onPush('media:notify', (n) => seen.push(n as MediaNotification));
  return seen;
}
