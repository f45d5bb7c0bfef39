// A real Tongban server (createApp: HTTPS, auth, audit, the media plane) run as a child process for
// benchmarks and fault tests, so that its CPU, its mediasoup workers and its ffmpeg children can be
// measured from /proc apart from the bots, and so that it can be killed with SIGKILL. The parent
// drives it over the IPC channel (see harness.ts): it creates rooms the way the desk does (a case,
// accepted, plus invited participants) and hands back session cookies, since logging in bots
// through the rate-limited login route would measure the rate limiter.
import { randomUUID } from 'node:crypto';
import { createApp, type App } from '../../server/app/create-app.js';
import { demoUsers } from '../../server/demo/demo-data.js';
import { seedDemo } from '../../server/demo/seed-demo.js';
import { toPrincipal } from '../../server/features/auth/index.js';
import { loadConfig } from '../../server/kernel/config.js';
import type { UserPrincipal } from '../../server/kernel/principal.js';
import type { HarnessReply, HarnessRequest, RecordingTimeline, RoomTicket } from './harness-protocol.js';

const dataDir = process.argv[2];
const record = process.argv[3] !== 'no-record';
const workers = Number(process.argv[4] ?? 1);
const host = process.argv[5] ?? '127.0.0.1';
if (!dataDir) throw new Error('usage: harness-server.ts DATA_DIR [record|no-record] [workers] [host]');

/** Cases go from xingren to cixi (the 慈溪–兴仁 partnership); extra seats are other demo users. */
const originating = 'clerk.xingren';
const handling = 'clerk.cixi';
const extraSeats = demoUsers
  .filter((u) => u.role === 'clerk' || u.role === 'official')
  .map((u) => u.username)
  .filter((u) => u !== originating && u !== handling);

/** Recording runs that ended, per session (op 'recordingRuns'). */
const runs = new Map<string, unknown[]>();

async function main(): Promise<void> {
  const config = loadConfig({
    env: process.env,
    flags: { dataDir, port: 0, host, media: { workers, record, segmentSeconds: 2 } },
  });
  const app = await createApp({ config, pkiTuning: { caKeyBits: 2048 } });
  await seedDemo(app.services);
  const url = await app.start();
  const rootPem = await app.services.pki.rootCertificatePem();
  app.services.recording.recorder?.on('runEnded', (sessionId, peerId, run) =>
    runs.set(sessionId, [...(runs.get(sessionId) ?? []), { ...run, peerId }]),
  );
  process.on('message', (msg: HarnessRequest) => void answer(app, msg));
  send({ id: 0, ok: true, data: { url, rootPem, pid: process.pid } });
}

async function answer(app: App, req: HarnessRequest): Promise<void> {
  try {
    send({ id: req.id, ok: true, data: await handle(app, req) });
  } catch (err) {
    send({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
}

async function handle(app: App, req: HarnessRequest): Promise<unknown> {
  const { services } = app;
  const { media } = services;
  switch (req.op) {
    case 'room': {
      const ticket = await openRoom(app, req.size);
      if (req.claim) {
        if (!services.mediaPlacement || !app.mediaNode) throw new Error('claim: this node is not in a cluster');
        await services.mediaPlacement.claim(ticket.sessionId, app.mediaNode.id);
      }
      return ticket;
    }
    case 'workerPids':
      return media ? (await media.pool.workers()).filter((w) => !w.closed).map((w) => w.pid) : [];
    case 'endSession': {
      await media?.endSession(req.sessionId);
      return { ended: true };
    }
    case 'loginToken':
      return { token: await services.loginSessions.start({ kind: 'user', userId: req.userId }) };
    case 'cases':
      for (let i = 0; i < req.count; i++) await openCase(app);
      return { created: req.count };
    case 'recordingState':
      return media?.recordingState(req.sessionId) ?? null;
    case 'setReceiveCap': {
      const room = await media?.existingRoom(req.sessionId);
      if (!room) throw new Error(`no room for session ${req.sessionId}`);
      await room.setReceiveCap(req.peerId, req.kbps === null ? null : req.kbps * 1000);
      return { capped: req.kbps };
    }
    case 'recording': {
      const row = await services.recording.store.get(req.sessionId);
      if (!row) return null;
      return {
        startedAt: row.startedAt,
        status: row.status,
        dir: (await services.recording.directory(req.sessionId)) ?? row.dir,
        segments: await services.recording.store.segments(req.sessionId),
      } satisfies RecordingTimeline;
    }
    case 'verifyRecording':
      return services.recording.verify(req.sessionId);
    case 'recordingRuns':
      return runs.get(req.sessionId) ?? [];
    case 'roomPeers':
      return (await media?.existingRoom(req.sessionId))?.peers().map((p) => p.id) ?? [];
    case 'stop':
      await app.stop();
      setImmediate(() => process.exit(0));
      return { stopped: true };
    default:
      throw new Error('unknown harness op');
  }
}

async function principal(app: App, userId: string): Promise<UserPrincipal> {
  return toPrincipal(await app.services.users.get(userId));
}

async function openCase(app: App) {
  return app.services.cases.create(await principal(app, originating), {
    matterId: 'shebao-tingjiao',
    handlingSite: 'cixi',
    applicant: { name: '压测 申请人', idNumber: '110101199003071234' },
  });
}

/** A case opened at xingren, accepted at cixi (that creates the session), the applicant as a guest. */
async function openRoom(app: App, size: number): Promise<RoomTicket> {
  const { services } = app;
  if (size < 2 || size > 2 + 1 + extraSeats.length) throw new Error(`room size ${size} not supported`);
  const opened = await openCase(app);
  const { sessionId } = await services.cases.accept(await principal(app, handling), opened.id);
  const seats = [handling, originating, ...extraSeats.slice(0, Math.max(0, size - 3))];
  for (const userId of seats.slice(2))
    await services.sessions.addParticipant(sessionId, { userId, displayName: userId, role: 'witness' });
  const tokens = await Promise.all(
    seats.map(async (userId) => ({
      peer: `user:${userId}`,
      token: await services.loginSessions.start({ kind: 'user', userId }),
    })),
  );
  if (size >= 3) {
    // The applicant's seat: one invited guest, admitted as the session's applicant.
    const guest = {
      kind: 'guest' as const,
      guestId: randomUUID().replaceAll('-', '').slice(0, 24),
      sessionId,
      caseId: opened.id,
      displayName: `申请人 ${randomUUID().slice(0, 4)}`,
    };
    await services.sessions.admitApplicant(sessionId, guest);
    tokens.push({ peer: `guest:${guest.guestId}`, token: await services.loginSessions.start(guest) });
  }
  return { sessionId, caseId: opened.id, seats: tokens.slice(0, size) };
}

function send(reply: HarnessReply): void {
  process.send?.(reply);
}

main().catch((err: unknown) => {
  send({ id: 0, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
