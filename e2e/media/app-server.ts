// The real Tongban app (HTTPS with the platform certificate, demo data, the flows' routes plus the
// recording routes, the media plugin, the built client) on a temp data directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { platformPkiOpener, TongbanApp } from '../../server/app/create-app.js';
import { loadConfig } from '../../server/kernel/config.js';
import { DEMO_PASSWORD } from '../../server/demo/demo-data.js';
import { seedDemo } from '../../server/demo/seed-demo.js';
import { HttpClient } from '../../server/test-support/HttpClient.js';
import { routeModules } from '../../server/app/route-modules.js';
import { mediaPlugin } from '../../server/features/media/plugin.js';
import { recordingRoutes } from '../../server/features/recording/routes.js';
import { ensureClientBuilt } from './client-build.js';

export interface RunningApp {
  readonly app: TongbanApp;
  readonly url: string;
  readonly dataDir: string;
  readonly rootPem: string;
  login(username: string): Promise<HttpClient>;
  client(): HttpClient;
  dispose(): Promise<void>;
}

export async function startApp(): Promise<RunningApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tongban-media-app-'));
  const config = loadConfig({ flags: { dataDir, port: 0, host: '127.0.0.1' } });
  const app = await TongbanApp.create({
    config,
    openPki: platformPkiOpener(config, { caKeyBits: 2048, pinKdfCost: { N: 2 ** 10, r: 8, p: 1 } }),
    clientDir: ensureClientBuilt(),
    modules: [...routeModules, recordingRoutes],
    plugins: [mediaPlugin({ listenIps: [{ ip: '127.0.0.1' }], workers: 1 })],
    log: () => undefined,
  });
  await seedDemo({ catalog: app.ctx.catalog, users: app.ctx.users, audit: app.ctx.audit, pki: app.pki });
  const url = await app.start();
  const rootPem = app.pki.rootCertificatePem();
  const client = () => new HttpClient(url, rootPem);
  return {
    app,
    url,
    dataDir,
    rootPem,
    client,
    async login(username) {
      const c = client();
      const res = await c.post('/api/auth/login', { username, password: DEMO_PASSWORD });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
      return c;
    },
    async dispose() {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
