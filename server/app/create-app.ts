// The composition root: the one place the server is assembled. From a Config it opens the data
// directory (SQLite, blobs, secrets) and the platform PKI, builds every feature's services eagerly
// in dependency order, and on start serves them over HTTPS (express) and socket.io with a
// certificate from the platform PKI. `tongban serve`/`demo`, the CLI commands, the tests, e2e and
// the benchmarks all build the app here; which features run (the media plane, the recorder) is
// decided by the Config.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { auditAnchorFile, publicBaseUrl, type Config } from '../kernel/config.js';
import { FileAuditAnchor, type AuditAnchor } from '../kernel/audit/AuditAnchor.js';
import { AuditCheckpointer, type CheckpointSealer } from '../kernel/audit/AuditCheckpointer.js';
import { AuditLog } from '../kernel/audit/AuditLog.js';
import { platformSealer } from '../kernel/audit/platform-sealer.js';
import { verifyAuditLog, type AuditVerification } from '../kernel/audit/verify-audit.js';
import { systemClock, type Clock } from '../kernel/clock.js';
import { builtClientDir } from '../kernel/installation.js';
import { openPlatformPki } from '../kernel/pki/open-platform-pki.js';
import type { PlatformPki, PlatformPkiOptions } from '../kernel/pki/PlatformPki.js';
import { DiskBlobStore, type BlobStore } from '../kernel/store/BlobStore.js';
import { S3BlobStore } from '../kernel/store/S3BlobStore.js';
import type { Database } from '../kernel/store/Database.js';
import { openDatabase } from '../kernel/store/open-database.js';
import { blobRoot } from '../kernel/store/paths.js';
import { protectDataDir } from '../kernel/store/private-files.js';
import { createHttpApp } from '../http/express-app.js';
import { RealtimeServer } from '../realtime/RealtimeServer.js';
import type { RedisConnection } from '../kernel/redis.js';
import {
  AuthPurger,
  cookieAuthenticator,
  LoginGuard,
  LoginSessions,
  PinEnrolments,
  RateLimiter,
  SESSION_COOKIE,
  UserService,
} from '../features/auth/index.js';
import { CatalogService } from '../features/catalog/index.js';
import {
  CaseService,
  endGuestAccessWhenSessionsEnd,
  IdNumberProtector,
  InvitationService,
} from '../features/cases/index.js';
import { CeremonyService } from '../features/ceremony/index.js';
import { DocumentSigning, DocumentStore, NOTO_SANS_CJK_TTC, verificationLink } from '../features/documents/index.js';
import { EvidenceExporter } from '../features/evidence/index.js';
import {
  FaceCheckService,
  FaceCheckStore,
  FaceEngine,
  IdCheckService,
  IdentityService,
  MaterialService,
  ScriptService,
} from '../features/identity/index.js';
import {
  Cascade,
  closeRoomsWhenSessionsEnd,
  clusterRoomEnder,
  MediaNode,
  type MediaPlacement,
  MediaService,
  mediaServiceOptions,
  pipeListenIp,
  type PresenceSink,
} from '../features/media/index.js';
import { NodeRpc } from '../kernel/node-rpc.js';
import { RecorderRelay, RecordingService, type RecordingOwnership } from '../features/recording/index.js';
import { RatingService, StatsService } from '../features/ratings/index.js';
import { LtvRenewer, RecordService, RecordVerifications } from '../features/records/index.js';
import { SessionService } from '../features/sessions/index.js';
import { PublicVerification } from '../features/verify/index.js';
import { routeModules, socketModules } from './features.js';
import { mediaNodeId, openSharedState, socketAdapter } from './shared-state.js';

export interface AppOptions {
  readonly config: Config;
  readonly clock?: Clock;
  /** Cheaper PKI set-up for tests (smaller CA keys, a light PIN KDF); the code paths are the real ones. */
  readonly pkiTuning?: Pick<PlatformPkiOptions, 'caKeyBits' | 'pinKdfCost'>;
  /** Where unexpected errors go (never to clients); stderr by default. */
  readonly log?: (err: unknown) => void;
  /** Where degraded operation is said (no media worker, a participant not recorded); stderr by default. */
  readonly warn?: (message: string) => void;
}

/** Every service of the running app, built once; features receive the parts they declare. */
export interface AppServices {
  readonly config: Config;
  readonly clock: Clock;
  readonly log: (err: unknown) => void;
  readonly db: Database;
  readonly blobs: BlobStore;
  readonly audit: AuditLog;
  /** Seals and verifies audit checkpoints with the platform seal. */
  readonly auditSealer: CheckpointSealer;
  /** Receives every checkpoint head outside the database (config auditAnchor). */
  readonly auditAnchor: AuditAnchor;
  /** The whole audit check: chain, checkpoints, seals, time-stamps, anchor, unanchored age. */
  verifyAudit(): Promise<AuditVerification>;
  readonly pki: PlatformPki;
  readonly catalog: CatalogService;
  readonly users: UserService;
  readonly loginSessions: LoginSessions;
  readonly limiters: {
    readonly login: RateLimiter;
    readonly loginGlobal: RateLimiter;
    readonly pin: RateLimiter;
    readonly join: RateLimiter;
    /** Public verifications (uploads and hash look-ups) per client address. */
    readonly verify: RateLimiter;
  };
  /** Login attempts per address, per account (backoff, lock) and platform-wide. */
  readonly loginGuard: LoginGuard;
  /** One-time codes with which clerks and officials choose their own signing PIN. */
  readonly enrolments: PinEnrolments;
  readonly sessions: SessionService;
  readonly ids: IdNumberProtector;
  readonly cases: CaseService;
  readonly invitations: InvitationService;
  readonly recording: RecordingService;
  /** The live video plane; absent when the config turns it off or no mediasoup worker could start. */
  readonly media: MediaService | undefined;
  readonly documents: DocumentStore;
  readonly signing: DocumentSigning;
  readonly identity: IdentityService;
  /** Face match and liveness advice for the handling clerk (issue 15 §3). */
  readonly faceChecks: FaceCheckService;
  readonly idChecks: IdCheckService;
  /** Issue 15: each matter's 意愿确认 script and the case's run through it; materials of the session. */
  readonly scripts: ScriptService;
  readonly materials: MaterialService;
  readonly ceremonies: CeremonyService;
  readonly records: RecordService;
  /** Long-term validation renewal of archived PDFs (fresh DSS and document timestamp before the last one ends). */
  readonly ltv: LtvRenewer;
  readonly evidence: EvidenceExporter;
  /** The public /verify page's checks. */
  readonly verification: PublicVerification;
  /** 好差评: the applicant's rating of an ended case. */
  readonly ratings: RatingService;
  /** The statistics dashboard's figures and the 好差评 export. */
  readonly stats: StatsService;
  /** Auditors' batch verification of a search result. */
  readonly recordVerifications: RecordVerifications;
  /** The public https URL once listening (invitation links). */
  baseUrl(): string;
  /** The Redis the nodes of a cluster share (config redisUrl); absent on a single node. */
  readonly redis: RedisConnection | undefined;
  /** Which media node hosts which session (cluster only). */
  readonly mediaPlacement: MediaPlacement | undefined;
  /** Requests between this node and the others over Redis (cluster only); its id names this node. */
  readonly nodeRpc: NodeRpc | undefined;
}

export class App {
  readonly services: AppServices;
  readonly #checkpointer: AuditCheckpointer;
  readonly #authPurger: AuthPurger;
  readonly #url: { value: string };
  readonly #detach: (() => void)[];
  #evidencePurge: NodeJS.Timeout | undefined;
  #retentionSweep: NodeJS.Timeout | undefined;
  #ltvRenewal: NodeJS.Timeout | undefined;
  #server: HttpsServer | undefined;
  #realtime: RealtimeServer | undefined;
  #mediaNode: MediaNode | undefined;
  #cascade: Cascade | undefined;
  #started = false;
  #stopped = false;

  private constructor(services: AppServices, url: { value: string }, detach: (() => void)[]) {
    this.services = services;
    this.#url = url;
    this.#detach = detach;
    const { db, audit, auditSealer, auditAnchor, clock, loginSessions, limiters } = services;
    this.#checkpointer = new AuditCheckpointer({ db, log: audit, sealer: auditSealer, anchor: auditAnchor, clock });
    this.#authPurger = new AuthPurger({
      sessions: loginSessions,
      limiters: [...Object.values(limiters), services.loginGuard, services.enrolments],
    });
  }

  /** Opens the data directory and builds every service; initialises the PKI when it is new. */
  static async create(options: AppOptions): Promise<App> {
    const { config } = options;
    const clock = options.clock ?? systemClock;
    const log = options.log ?? defaultLog;
    const warn = options.warn ?? defaultWarn;
    const { limits } = config;
    protectDataDir(config.dataDir);
    const db = await openDatabase(config);
    const detach: (() => void)[] = [];
    let shared: Awaited<ReturnType<typeof openSharedState>> | undefined;
    try {
      shared = await openSharedState(config, db, clock);
      const authState = shared.auth;
      const audit = new AuditLog(db, clock);
      // The data directory by default; an S3 bucket (created with Object Lock when missing) in cluster mode.
      const blobs: BlobStore = config.s3
        ? await S3BlobStore.open(config.s3, { maxBytes: limits.blobBytes, createBucket: true })
        : new DiskBlobStore(blobRoot(config.dataDir), { maxBytes: limits.blobBytes });
      if (blobs instanceof S3BlobStore) detach.push(() => blobs.close());
      const catalog = new CatalogService(db, clock);
      const pki = openPlatformPki(config, db, { clock, ...options.pkiTuning });
      if (!(await pki.isInitialised())) {
        const sites = await catalog.sites();
        await pki.init(sites.map((s) => ({ id: s.id, name: s.name })));
        await audit.append({ actor: 'system', action: 'pki.initialised', details: { sites: sites.length } });
      }
      const limiter = (bucket: string, limit: number, windowMs: number) =>
        new RateLimiter({ counter: authState.counter(bucket, windowMs), limit, windowMs });
      const users = new UserService(db, clock);
      const sessions = new SessionService(db, clock);
      const ids = IdNumberProtector.open(pki.token);
      const pinLimiter = limiter('pin', limits.pinAttemptsPerWindow, limits.pinWindowMs);
      const cases = new CaseService({ db, clock, catalog, sessions, ids, audit });
      // An API node of a cluster hosts no rooms: its recorder, media plane and presence are the media nodes'.
      const hostsMedia = config.media.enabled && config.nodeRole !== 'api';
      const nodeRpc = shared.redis && new NodeRpc(shared.redis, mediaNodeId(), { log });
      const recording = await RecordingService.create({
        db,
        dataDir: config.dataDir,
        clock,
        audit,
        pki,
        record: config.media.record && config.nodeRole !== 'api',
        segmentSeconds: config.media.segmentSeconds,
        blobs,
        warn,
        ownership: shared.placement && recordingOwnership(shared.placement, limits.mediaNodeTtlMs),
      });
      // Live rooms do not survive a restart: the process that runs them closes what its predecessor
      // saw as present (CLI commands on the same data directory leave a running server's rooms alone;
      // in a cluster the other nodes' rooms live on).
      if (hostsMedia && !shared.redis) await sessions.presence.leaveAll();
      const media = hostsMedia ? await startMedia(config, recording, sessions.presence, warn) : undefined;
      const { placement } = shared;
      if (nodeRpc && placement) {
        const relay = new RecorderRelay(nodeRpc, (id) => placement.liveNodeOf(id));
        recording.useRemote(relay);
        if (recording.recorder) relay.serve(recording.here);
      }
      const endRoom =
        nodeRpc && placement
          ? clusterRoomEnder({ media, rpc: nodeRpc, liveNodeOf: (id) => placement.liveNodeOf(id) })
          : media && ((id: string) => media.endSession(id));
      if (endRoom) detach.push(closeRoomsWhenSessionsEnd(endRoom, { cases, sessions, log }));
      const font = new Uint8Array(readFileSync(NOTO_SANS_CJK_TTC));
      const url = { value: '' };
      // The QR on documents names the configured public URL, else the one the server listens on.
      const docLink = (sha256: string) => verificationLink(config.publicUrl ?? url.value, sha256);
      const documents = new DocumentStore(db);
      const signing = new DocumentSigning({
        store: documents,
        blobs,
        pki,
        clock,
        audit,
        pinLimiter,
        font,
        siteName: async (id) => (id && (await catalog.hasSite(id)) ? (await catalog.site(id)).name : undefined),
      });
      const faceCheckStore = new FaceCheckStore(db);
      const idChecks = new IdCheckService({ db, clock, audit, blobs, cases, sessions, recording });
      const scripts = new ScriptService({ db, clock, audit, catalog, cases, sessions, recording });
      const materials = new MaterialService({ db, clock, audit, blobs, cases, sessions, recording });
      const identity = new IdentityService({
        db,
        clock,
        audit,
        blobs,
        cases,
        sessions,
        idChecks,
        documents,
        signing,
        pki,
        recording,
        scripts,
        materials,
        font,
        verificationLink: docLink,
        faceChecks: faceCheckStore,
        warn,
      });
      const faceChecks = new FaceCheckService({
        db,
        clock,
        audit,
        blobs,
        sessions,
        recording,
        identity,
        engine: new FaceEngine(),
        store: faceCheckStore,
      });
      const ceremonies = new CeremonyService({
        db,
        clock,
        audit,
        blobs,
        users,
        sessions,
        documents,
        signing,
        verificationLink: docLink,
        warn,
      });
      const records = new RecordService({
        db,
        clock,
        audit,
        blobs,
        cases,
        catalog,
        sessions,
        ceremonies,
        documents,
        identity,
        recording,
      });
      const ltv = new LtvRenewer({
        db,
        clock,
        audit,
        blobs,
        pki,
        documents,
        records,
        marginDays: limits.ltvRenewalMarginDays,
        weakening: limits.ltvWeakeningAlgorithms,
      });
      const evidence = new EvidenceExporter({
        db,
        clock,
        audit,
        blobs,
        records,
        recording,
        pki,
        matterName: async (id) => (await catalog.matter(id)).name,
        limits,
      });
      const recordVerifications = new RecordVerifications({ clock, audit, blobs, pki, recording, records, limits });
      const loginLimiter = limiter('login', limits.loginAttemptsPerWindow, limits.loginWindowMs);
      const loginGlobal = limiter('login-global', limits.loginGlobalFailuresPerWindow, limits.loginWindowMs);
      const loginSessions = new LoginSessions({ store: authState.logins, clock, users, ttlMs: limits.sessionTtlMs });
      const invitations = new InvitationService(db, clock, limits.invitationTtlMs, sessions);
      detach.push(endGuestAccessWhenSessionsEnd({ sessions, loginSessions, invitations, audit, log }));
      const auditSealer = platformSealer(pki);
      const auditAnchor = new FileAuditAnchor(auditAnchorFile(config));
      const services: AppServices = {
        config,
        clock,
        log,
        db,
        blobs,
        audit,
        auditSealer,
        auditAnchor,
        verifyAudit: () =>
          verifyAuditLog(db, {
            sealer: auditSealer,
            anchor: auditAnchor,
            maxUnanchoredMs: limits.auditMaxUnanchoredMs,
            now: clock(),
          }),
        pki,
        catalog,
        users,
        loginSessions,
        limiters: {
          login: loginLimiter,
          loginGlobal,
          pin: pinLimiter,
          join: limiter('join', limits.loginAttemptsPerWindow, limits.loginWindowMs),
          verify: limiter('verify', limits.verifyAttemptsPerWindow, limits.verifyWindowMs),
        },
        loginGuard: new LoginGuard({
          throttles: authState.throttles(limits.loginWindowMs),
          clock,
          perAddress: loginLimiter,
          global: loginGlobal,
          limits,
        }),
        enrolments: new PinEnrolments({
          db,
          clock,
          users,
          catalog,
          pki,
          ttlMs: limits.enrolmentCodeTtlMs,
          minPinLength: limits.pinMinLength,
        }),
        sessions,
        ids,
        cases,
        invitations,
        recording,
        media,
        documents,
        signing,
        identity,
        faceChecks,
        idChecks,
        scripts,
        materials,
        ceremonies,
        records,
        ltv,
        evidence,
        verification: new PublicVerification({ pki, documents, records }),
        ratings: new RatingService({ db, clock, audit, cases, sessions }),
        stats: new StatsService(db),
        recordVerifications,
        baseUrl: () => url.value,
        redis: shared.redis,
        mediaPlacement: shared.placement,
        nodeRpc,
      };
      return new App(services, url, detach);
    } catch (err) {
      for (const undo of detach) undo();
      await shared?.redis?.close();
      await db.close();
      throw err;
    }
  }

  get url(): string {
    return this.#url.value;
  }

  get realtime(): RealtimeServer | undefined {
    return this.#realtime;
  }

  /** This process as a media node of the cluster (media and Redis on, once started). */
  get mediaNode(): MediaNode | undefined {
    return this.#mediaNode;
  }

  /** This media node's pipes to the others (media and Redis on, once started). */
  get cascade(): Cascade | undefined {
    return this.#cascade;
  }

  /** Listens on HTTPS (platform certificate), attaches socket.io and every feature; returns the URL. */
  async start(): Promise<string> {
    const s = this.services;
    const { config } = s;
    const hostnames = [
      ...new Set(['localhost', '127.0.0.1', config.host].filter((h) => h !== '0.0.0.0' && h !== '::')),
    ];
    this.#started = true;
    await s.evidence.failInterrupted();
    const tls = await s.pki.serverTlsCredentials(hostnames);
    const authenticator = cookieAuthenticator(s.loginSessions);
    const publicUrl = () => this.#url.value || undefined;
    const app = createHttpApp({
      authenticator,
      sessionCookie: SESSION_COOKIE,
      publicBaseUrl: publicUrl,
      audit: s.audit,
      jsonBodyBytes: config.limits.jsonBodyBytes,
      modules: routeModules(s),
      clientDir: config.clientDir ?? builtClientDir(),
      log: s.log,
    });
    const server = createServer({ key: tls.keyPem, cert: `${tls.certPem.trim()}\n${tls.chainPem.trim()}\n` }, app);
    server.on('tlsClientError', () => undefined);
    this.#server = server;
    this.#realtime = new RealtimeServer({
      server,
      authenticator,
      log: s.log,
      publicBaseUrl: publicUrl,
      adapter: socketAdapter(s.redis),
      acceptClients: config.nodeRole !== 'media',
    });
    this.#realtime.attach(socketModules(s));
    // Every handler is registered: the other nodes may ask from now on.
    await s.nodeRpc?.start();
    server.listen(config.port, config.host);
    await once(server, 'listening');
    this.#url.value = publicBaseUrl(config, (server.address() as AddressInfo).port);
    if (s.media && s.mediaPlacement && s.nodeRpc) {
      // Listening for other nodes' pipe requests before this node is announced to them.
      const cascade = new Cascade({
        rpc: s.nodeRpc,
        placement: s.mediaPlacement,
        media: s.media,
        pipeIp: pipeListenIp(config),
        log: s.log,
      });
      await cascade.start();
      this.#cascade = cascade;
      const node = new MediaNode({
        id: s.nodeRpc.nodeId,
        placement: s.mediaPlacement,
        media: s.media,
        url: () => this.#url.value,
        sites: config.media.sites,
        log: s.log,
      });
      await node.start();
      this.#mediaNode = node;
    }
    await this.#checkpointer.start(config.limits.auditCheckpointIntervalMs);
    this.#authPurger.start(config.limits.authPurgeIntervalMs, s.log);
    // Expired evidence jobs go with their packages; between runs, starting or looking up a job purges too.
    this.#evidencePurge = setInterval(
      () => void s.evidence.purgeExpired().catch(s.log),
      Math.min(config.limits.evidenceJobTtlMs, 10 * 60_000),
    );
    this.#evidencePurge.unref();
    const sweep = () => void s.records.purgeExpired().catch(s.log);
    this.#retentionSweep = setInterval(sweep, config.limits.retentionSweepIntervalMs).unref();
    const renew = () => void s.ltv.run().catch(s.log);
    this.#ltvRenewal = setInterval(renew, config.limits.ltvRenewalIntervalMs).unref();
    await s.audit.append({ actor: 'system', action: 'server.started', details: { url: this.#url.value } });
    return this.#url.value;
  }

  /**
   * Stops media, socket.io and HTTPS, seals the audit head one last time, closes the database. An
   * app that never started (a CLI command's) only closes what it opened.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const s = this.services;
    for (const undo of this.#detach.splice(0)) undo();
    await this.#mediaNode?.stop().catch(s.log);
    await s.media?.stop();
    this.#cascade?.close();
    s.nodeRpc?.close();
    await s.recording.close();
    if (!this.#started) {
      await s.redis?.close();
      return s.db.close();
    }
    await this.#realtime?.close();
    this.#realtime = undefined;
    const server = this.#server;
    if (server?.listening) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.#server = undefined;
    await s.audit.append({ actor: 'system', action: 'server.stopped' });
    this.#authPurger.stop();
    clearInterval(this.#evidencePurge);
    clearInterval(this.#retentionSweep);
    clearInterval(this.#ltvRenewal);
    await this.#checkpointer.stop();
    await s.redis?.close();
    await s.db.close();
  }

  /** Seals the audit head now (tests, and `tongban audit` after bulk changes). */
  checkpointAudit(): Promise<number | null> {
    return this.#checkpointer.checkpoint();
  }
}

export const createApp = (options: AppOptions) => App.create(options);

/** The SFU with the recorder attached; without a worker binary the desk runs without video. */
async function startMedia(
  config: Config,
  recording: RecordingService,
  presence: PresenceSink,
  warn: (message: string) => void,
): Promise<MediaService | undefined> {
  try {
    return await MediaService.start({ ...mediaServiceOptions(config), recorder: recording.recorder, presence });
  } catch (err) {
    warn(`media plane not started, video rooms are unavailable: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** A recording is another node's while its session is placed on a live media node (cluster mode). */
function recordingOwnership(placement: MediaPlacement, nodeTtlMs: number): RecordingOwnership {
  // Who holds a seal claim (shown in Redis only): this process, media node or not.
  const sealer = mediaNodeId();
  return {
    recordedElsewhere: async (sessionId) => (await placement.liveNodeOf(sessionId)) !== undefined,
    claimSeal: (sessionId) => placement.claimSeal(sessionId, sealer, sealClaimMs),
    staleAfterMs: nodeTtlMs,
  };
}

/** Time a node has to seal a dead node's recording before another node may try (sealing takes seconds). */
const sealClaimMs = 60_000;

function defaultLog(err: unknown): void {
  process.stderr.write(`tongban: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
}

function defaultWarn(message: string): void {
  process.stderr.write(`tongban: WARNING: ${message}\n`);
}
