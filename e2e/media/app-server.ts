// The real Tongban app (createApp: HTTPS with the platform certificate, every feature with live
// video and the recorder, the built client) and the demo data on a temp data directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../server/app/create-app.js';
import { loadConfig } from '../../server/kernel/config.js';
import { DEMO_PASSWORD } from '../../server/demo/demo-data.js';
import { seedDemo } from '../../server/demo/seed-demo.js';
import { HttpClient } from '../../server/test-support/HttpClient.js';
import { testPkiTuning } from '../../server/test-support/pki-tuning.js';
import { testCamera } from './browser.js';
import { ensureClientBuilt } from './client-build.js';

export interface RunningApp {
  readonly app: App;
  readonly url: string;
  readonly dataDir: string;
  readonly rootPem: string;
  login(username: string): Promise<HttpClient>;
  client(): HttpClient;
  dispose(): Promise<void>;
}

export async function startApp(): Promise<RunningApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tongban-media-app-'));
  const config = loadConfig({
    flags: {
      dataDir,
      port: 0,
      host: '127.0.0.1',
      clientDir: ensureClientBuilt(),
      media: { workers: 1, camera: testCamera },
    },
  });
  const app = await createApp({ config, pkiTuning: testPkiTuning, log: () => undefined });
  await seedDemo(app.services);
  const url = await app.start();
  const rootPem = app.services.pki.rootCertificatePem();
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
