// The composition root: opens the data directory (SQLite, blobs, secrets), builds the services,
// the express app and socket.io on HTTPS with a certificate from the platform PKI, and starts and
// stops them in order. Nothing else constructs services; route modules receive them in AppContext.
import { once } from 'node:events';
import { createServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AuditCheckpointer } from '../kernel/audit/AuditCheckpointer.js';
import { AuditLog } from '../kernel/audit/AuditLog.js';
import { platformSealer } from '../kernel/audit/platform-sealer.js';
import { AuthPurger } from '../features/auth/AuthPurger.js';
import { LoginSessions } from '../features/auth/LoginSessions.js';
import { RateLimiter } from '../features/auth/RateLimiter.js';
import { publicBaseUrl, type Config } from '../kernel/config.js';
import { CaseService } from '../features/cases/CaseService.js';
import { CatalogService } from '../features/catalog/CatalogService.js';
import { CeremonyService } from '../features/ceremony/CeremonyStore.js';
import { IdNumberProtector } from '../features/cases/IdNumberProtector.js';
import { InvitationService } from '../features/cases/InvitationService.js';
import { systemClock, type Clock } from '../kernel/principal.js';
import { SessionService } from '../features/sessions/SessionService.js';
import { UserService } from '../features/auth/UserService.js';
import type { AppContext } from './context.js';
import { createHttpApp } from '../http/express-app.js';
import { routeModules } from './route-modules.js';
import type { RouteModule } from '../http/RouteModule.js';
import { openPlatformPki } from '../kernel/pki/open-platform-pki.js';
import type { PlatformPki, PlatformPkiOptions } from '../kernel/pki/PlatformPki.js';
import { RealtimeServer } from '../realtime/RealtimeServer.js';
import { BlobStore } from '../kernel/store/BlobStore.js';
import { Database } from '../kernel/store/Database.js';
import { blobRoot, databaseFile } from '../kernel/store/paths.js';

/** Something started with the app and stopped before it (the media plane, the recorder…). */
export interface AppPlugin {
  readonly name: string;
  start(app: { ctx: AppContext; realtime: RealtimeServer }): Promise<{ stop(): Promise<void> }>;
}

export type PkiOpener = (db: Database, clock: Clock) => PlatformPki | Promise<PlatformPki>;

/** Opens server/pki/PlatformPki on the app's database with the configured URL, TSA and master key. */
export function platformPkiOpener(config: Config, tuning: Pick<PlatformPkiOptions, 'caKeyBits' | 'pinKdfCost'> = {}): PkiOpener {
  return (db, clock) => openPlatformPki(config, db, { clock, ...tuning });
}

export interface AppOptions {
  readonly config: Config;
  /** Opens the platform PKI on the app's database; platformPkiOpener(config) when absent. */
  readonly openPki?: PkiOpener;
  readonly clock?: Clock;
  readonly clientDir?: string;
  readonly modules?: readonly RouteModule[];
  readonly plugins?: readonly AppPlugin[];
  /** Where unexpected errors go (never to clients); stderr by default. */
  readonly log?: (err: unknown) => void;
}

export class TongbanApp {
  readonly ctx: AppContext;
  readonly pki: PlatformPki;
  readonly #options: AppOptions;
  readonly #checkpointer: AuditCheckpointer;
  readonly #authPurger: AuthPurger;
  #server: HttpsServer | undefined;
  #realtime: RealtimeServer | undefined;
  #plugins: { stop(): Promise<void> }[] = [];
  #stopped = false;
  /** Shared with ctx.baseUrl(): set once the server listens. */
  readonly #url: { value: string };

  private constructor(ctx: AppContext, pki: PlatformPki, checkpointer: AuditCheckpointer, options: AppOptions, url: { value: string }) {
    this.ctx = ctx;
    this.pki = pki;
    this.#checkpointer = checkpointer;
    this.#authPurger = new AuthPurger({ sessions: ctx.loginSessions, limiters: Object.values(ctx.limiters) });
    this.#options = options;
    this.#url = url;
  }

  /** Opens the data directory and builds every service; initialises the PKI when it is new. */
  static async create(options: AppOptions): Promise<TongbanApp> {
    const { config } = options;
    const clock = options.clock ?? systemClock;
    const db = Database.open(databaseFile(config.dataDir));
    try {
      const audit = new AuditLog(db, clock);
      const catalog = new CatalogService(db, clock);
      const users = new UserService(db, clock);
      const sessions = new SessionService(db, clock);
      const ids = IdNumberProtector.open(config.dataDir);
      const pki = await (options.openPki ?? platformPkiOpener(config))(db, clock);
      if (!pki.isInitialised()) {
        await pki.init(catalog.sites().map((s) => ({ id: s.id, name: s.name })));
        audit.append({ actor: 'system', action: 'pki.initialised', details: { sites: catalog.sites().length } });
      }
      const sealer = platformSealer(pki);
      const limiter = (bucket: string, limit: number, windowMs: number) => new RateLimiter({ db, clock, bucket, limit, windowMs });
      const { limits } = config;
      const url = { value: '' };
      const ctx: AppContext = {
        config,
        clock,
        db,
        blobs: new BlobStore(blobRoot(config.dataDir), { maxBytes: limits.blobBytes }),
        audit,
        auditSealer: sealer,
        catalog,
        users,
        sessions,
        ids,
        cases: new CaseService({ db, clock, catalog, sessions, ids, audit }),
        invitations: new InvitationService(db, clock, limits.invitationTtlMs),
        ceremonies: new CeremonyService(db, clock),
        loginSessions: new LoginSessions({ db, clock, users, ttlMs: limits.sessionTtlMs }),
        limiters: {
          login: limiter('login', limits.loginAttemptsPerWindow, limits.loginWindowMs),
          pin: limiter('pin', limits.pinAttemptsPerWindow, limits.pinWindowMs),
          join: limiter('join', limits.loginAttemptsPerWindow, limits.loginWindowMs),
        },
        pki,
        baseUrl: () => url.value,
      };
      return new TongbanApp(ctx, pki, new AuditCheckpointer({ db, log: audit, sealer, clock }), options, url);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  get url(): string {
    return this.#url.value;
  }

  get realtime(): RealtimeServer | undefined {
    return this.#realtime;
  }

  /** Listens on HTTPS (platform certificate), attaches socket.io and the plugins; returns the URL. */
  async start(): Promise<string> {
    const { config } = this.ctx;
    const log = this.#options.log ?? defaultLog;
    const hostnames = [...new Set(['localhost', '127.0.0.1', config.host].filter((h) => h !== '0.0.0.0' && h !== '::'))];
    const tls = await this.pki.serverTlsCredentials(hostnames);
    const { app } = createHttpApp(this.ctx, { modules: this.#options.modules ?? routeModules, clientDir: this.#options.clientDir, log });
    const server = createServer({ key: tls.keyPem, cert: `${tls.certPem.trim()}\n${tls.chainPem.trim()}\n` }, app);
    server.on('tlsClientError', () => undefined);
    this.#server = server;
    this.#realtime = new RealtimeServer({ server, loginSessions: this.ctx.loginSessions, cases: this.ctx.cases, log });
    server.listen(config.port, config.host);
    await once(server, 'listening');
    this.#url.value = publicBaseUrl(config, (server.address() as AddressInfo).port);
    for (const plugin of this.#options.plugins ?? []) {
      this.#plugins.push(await plugin.start({ ctx: this.ctx, realtime: this.#realtime }));
    }
    this.#checkpointer.start(config.limits.auditCheckpointIntervalMs);
    this.#authPurger.start(config.limits.authPurgeIntervalMs, log);
    this.ctx.audit.append({ actor: 'system', action: 'server.started', details: { url: this.#url.value } });
    return this.#url.value;
  }

  /** Stops plugins, socket.io and HTTPS, seals the audit head one last time, closes the database. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const plugin of this.#plugins.reverse()) await plugin.stop();
    this.#plugins = [];
    await this.#realtime?.close();
    this.#realtime = undefined;
    if (this.#server?.listening) {
      this.#server.closeAllConnections();
      await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
    }
    this.#server = undefined;
    this.ctx.audit.append({ actor: 'system', action: 'server.stopped' });
    this.#authPurger.stop();
    await this.#checkpointer.stop();
    this.ctx.db.close();
  }

  /** Seals the audit head now (tests, and `tongban audit` after bulk changes). */
  checkpointAudit(): Promise<number | null> {
    return this.#checkpointer.checkpoint();
  }
}

export const createApp = (options: AppOptions) => TongbanApp.create(options);

function defaultLog(err: unknown): void {
  process.stderr.write(`tongban: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
}
