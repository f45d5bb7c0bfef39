// One real Tongban server per test file (the app from createApp without live video): a temp data
// directory, the platform PKI, HTTPS on an ephemeral port, socket.io; optionally the demo data.
// Restartable on the same directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { createApp, type App } from '../app/create-app.js';
import { auditAnchorFile, loadConfig, type Config } from '../kernel/config.js';
import { DEMO_PASSWORD } from '../demo/demo-data.js';
import { type Clock } from '../kernel/clock.js';
import { seedDemo } from '../demo/seed-demo.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/socket.js';
import { closeEmbeddedToken } from '../kernel/hsm/embedded-softhsm.js';
import { testPkiTuning } from './pki-tuning.js';
import { HttpClient } from './HttpClient.js';
import { emptyPostgresDatabase, TEST_BACKEND } from './databases.js';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestServerOptions {
  readonly dataDir?: string;
  readonly seed?: boolean;
  readonly clock?: Clock;
  readonly limits?: Partial<Config['limits']>;
  /** Run the recorder (no live video): tests feed it segments through `app.services.recording.store`. */
  readonly record?: boolean;
  /** An external RFC 3161 TSA (config tsaUrl) instead of the in-process one. */
  readonly tsaUrl?: string;
  /** The built web client to serve (browser tests); none otherwise. */
  readonly clientDir?: string;
  /**
   * Live video and the recorder for real (mediasoup worker from `source scripts/worker-env.sh`,
   * ffmpeg): headless participants join with `joinLiveRoom` (live-room.ts).
   */
  readonly media?: { readonly segmentSeconds?: number; readonly record?: boolean };
  /** Blobs in this S3 bucket (config s3) instead of the data directory. */
  readonly s3?: Config['s3'];
  /** A cluster node: shared state in this Redis (see test-support/redis.ts). */
  readonly redis?: { readonly url: string; readonly prefix: string };
  /** The metadata in this PostgreSQL database instead of the data directory's SQLite file. */
  readonly databaseUrl?: string;
  /** A cluster node's role (config nodeRole; `api` and `media` need `redis`). */
  readonly nodeRole?: Config['nodeRole'];
  /** A media node's sites, whose participants it serves first (config media.sites). */
  readonly mediaSites?: readonly string[];
}

/**
 * In the PostgreSQL run (TONGBAN_TEST_DATABASE=postgres) every server without a databaseUrl of its own
 * gets a fresh PostgreSQL database, kept with its data directory: a server started again on the same
 * directory (a restart, a second start after stop) finds the same metadata, as with the SQLite file
 * inside the directory. Dropped by dispose().
 */
const runDatabases = new Map<string, { url: string; drop: () => Promise<void> }>();

async function runDatabaseUrl(dataDir: string): Promise<string | undefined> {
  if (TEST_BACKEND !== 'postgres') return undefined;
  let database = runDatabases.get(dataDir);
  if (!database) runDatabases.set(dataDir, (database = await emptyPostgresDatabase()));
  return database.url;
}

export class TestServer {
  readonly #sockets: Socket[] = [];

  private constructor(
    readonly app: App,
    readonly dataDir: string,
    readonly rootPem: string,
    readonly options: TestServerOptions,
  ) {}

  /** `port` 0 picks a free one; a restart reuses the previous port so clients keep working. */
  static async start(options: TestServerOptions = {}, port = 0): Promise<TestServer> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tongban-test-'));
    const config = loadConfig({
      flags: {
        dataDir,
        port,
        host: '127.0.0.1',
        limits: options.limits,
        tsaUrl: options.tsaUrl,
        clientDir: options.clientDir,
        s3: options.s3,
        redisUrl: options.redis?.url,
        redisPrefix: options.redis?.prefix,
        databaseUrl: options.databaseUrl ?? (await runDatabaseUrl(dataDir)),
        nodeRole: options.nodeRole,
        media: options.media
          ? {
              enabled: true,
              record: options.media.record ?? true,
              workers: 1,
              segmentSeconds: options.media.segmentSeconds ?? 2,
              sites: options.mediaSites,
            }
          : { enabled: false, record: options.record ?? false },
      },
    });
    const app = await createApp({ config, pkiTuning: testPkiTuning, clock: options.clock, log: () => undefined });
    if (options.media && !app.services.media) {
      await app.stop();
      throw new Error('TestServer: the media plane did not start (source scripts/worker-env.sh first)');
    }
    if (options.seed) await seedDemo(app.services);
    await app.start();
    return new TestServer(app, dataDir, await app.services.pki.rootCertificatePem(), options);
  }

  get url(): string {
    return this.app.url;
  }

  /** The PostgreSQL database the server keeps its metadata in; undefined on SQLite. */
  get databaseUrl(): string | undefined {
    return this.app.services.config.databaseUrl;
  }

  /** What the `tongban` command needs beside `--data` to open this server's database: its PostgreSQL, if any. */
  get cliEnv(): Record<string, string> {
    const url = this.databaseUrl;
    return url ? { TONGBAN_DATABASE_URL: url } : {};
  }

  client(): HttpClient {
    return new HttpClient(this.url, this.rootPem);
  }

  /** A client logged in as a demo user (password tongban-demo). */
  async login(username: string, password = DEMO_PASSWORD): Promise<HttpClient> {
    const c = this.client();
    const res = await c.post('/api/auth/login', { username, password });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
    return c;
  }

  /** A connected socket.io client carrying the client's cookie. */
  async socket(client?: HttpClient): Promise<TestSocket> {
    const socket: TestSocket = io(this.url, {
      transports: ['websocket'],
      ca: this.rootPem,
      extraHeaders: client?.cookie ? { cookie: client.cookie } : {},
      reconnection: false,
      forceNew: true,
    });
    this.#sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });
    return socket;
  }

  /** Stops the server, keeping the data directory. */
  async stop(): Promise<void> {
    for (const s of this.#sockets.splice(0)) s.disconnect();
    await this.app.stop();
  }

  /** Stops and starts a new server on the same data directory. */
  async restart(): Promise<TestServer> {
    await this.stop();
    return TestServer.start({ ...this.options, dataDir: this.dataDir, seed: false }, Number(new URL(this.url).port));
  }

  /** Stops and deletes the data directory (closing its embedded token) and the audit anchor beside it. */
  async dispose(): Promise<void> {
    await this.stop();
    closeEmbeddedToken(this.dataDir);
    rmSync(this.dataDir, { recursive: true, force: true });
    rmSync(auditAnchorFile(this.app.services.config), { force: true });
    await runDatabases.get(this.dataDir)?.drop();
    runDatabases.delete(this.dataDir);
  }
}
