// A real HTTP + socket.io server around the real MediaService, for media tests that do not need
// the whole app: the principal comes from a test-only cookie (`tb-test-as=<user id>`), and who may
// join which session is a plain table.
import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Authenticator } from '../../server/kernel/authenticator.js';
import type { Principal } from '../../server/kernel/principal.js';
import { ForbiddenError } from '../../server/kernel/errors.js';
import { MediaService, mediaSockets, type MediaServiceOptions } from '../../server/features/media/index.js';
import { Recorder, RecordingStore } from '../../server/features/recording/index.js';
import { Database } from '../../server/kernel/store/Database.js';
import { RealtimeServer, type TongbanServer } from '../../server/realtime/RealtimeServer.js';
import { ensureClientBuilt } from './client-build.js';
import { testCamera } from './browser.js';

export const testPrincipals: Record<string, Principal> = {
  'clerk.cixi': {
    kind: 'user',
    userId: 'clerk.cixi',
    username: 'clerk.cixi',
    displayName: '慈溪窗口 王敏',
    role: 'clerk',
    siteId: 'cixi',
  },
  'clerk.xingren': {
    kind: 'user',
    userId: 'clerk.xingren',
    username: 'clerk.xingren',
    displayName: '兴仁窗口 李娟',
    role: 'clerk',
    siteId: 'xingren',
  },
  'auditor.zhang': {
    kind: 'user',
    userId: 'auditor.zhang',
    username: 'auditor.zhang',
    displayName: '审计 张',
    role: 'auditor',
    siteId: null,
  },
};

export function guestPrincipal(sessionId: string): Principal {
  // The media tests' one applicant per session: its guest id is the session's, so its peer is guest:SESSION.
  return { kind: 'guest', guestId: sessionId, sessionId, caseId: null, displayName: '申请人 陈静' };
}

/** Who a socket is: the test-only cookie `tb-test-as=<user id | guest:SESSION>`. */
const testAuthenticator: Authenticator = {
  fromCookie(cookieHeader) {
    const cookie = /(?:^|;\s*)tb-test-as=([^;]+)/.exec(cookieHeader ?? '')?.[1];
    if (!cookie) return undefined;
    const as = decodeURIComponent(cookie);
    const principal = as.startsWith('guest:') ? guestPrincipal(as.slice('guest:'.length)) : testPrincipals[as];
    return principal && { principal, sessionKey: as };
  },
  onRevoke: () => () => undefined,
};

export interface TestMediaServer {
  readonly url: string;
  readonly media: MediaService;
  readonly recorder: Recorder;
  readonly store: RecordingStore;
  readonly dataDir: string;
  readonly io: TongbanServer;
  close(): Promise<void>;
}

export async function startTestMediaServer(
  sessions: Record<string, readonly string[]>,
  options: Partial<MediaServiceOptions> = {},
): Promise<TestMediaServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tongban-media-'));
  const db = Database.open(join(dataDir, 'tongban.sqlite'));
  const store = new RecordingStore(db);
  const { recorder } = await Recorder.create({ store, dataDir, segmentSeconds: 4 });
  const media = await MediaService.start({
    size: 1,
    listenIps: [{ ip: '127.0.0.1' }],
    recorder,
    camera: testCamera,
    ...options,
  });
  const clientDist = ensureClientBuilt();
  const app = express();
  app.use(express.static(clientDist, { index: false }));
  app.get(/^\/(room|join)\//, (_req, res) => res.sendFile(join(clientDist, 'index.html')));
  const http = createServer(app);
  const realtime = new RealtimeServer({ server: http, authenticator: testAuthenticator, log: () => undefined });
  realtime.attach([
    mediaSockets({
      media,
      disconnectGraceMs: 2_000,
      canJoin: (principal, sessionId) => {
        const allowed =
          principal.kind === 'guest'
            ? principal.sessionId === sessionId
            : sessions[sessionId]?.includes(principal.userId);
        if (!allowed) throw new ForbiddenError();
      },
    }),
  ]);
  const io = realtime.io;
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    media,
    recorder,
    store,
    dataDir,
    io,
    async close() {
      await media.stop();
      await realtime.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
