// Server configuration in layers: defaults → environment → command-line flags. Validated once by
// zod (strict: an unknown key is an error, not silently ignored) so the rest of the server reads
// typed, complete values.
import { resolve } from 'node:path';
import { z } from 'zod';
import { cameraCapture, parseCamera } from '../../protocol/media.js';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
/**
 * Bandwidth caps per site in kbit/s (a 县/镇 centre on a weak uplink), from an object or, in the
 * environment, `site=kbps` pairs separated by commas: `xingren=300,lishui=500`.
 */
const siteCaps = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? Object.fromEntries(
          v
            .split(',')
            .map((pair) => pair.trim())
            .filter(Boolean)
            .map((pair) => pair.split('=').map((x) => x.trim())),
        )
      : v,
  z.record(z.string().min(1).max(64), z.coerce.number().int().min(50).max(100_000)),
);

/** The camera clients capture: `960x540@15` in the environment, or an object. */
const camera = z.preprocess(
  (v) => (typeof v === 'string' ? (parseCamera(v) ?? v) : v),
  z
    .object({
      width: z.number().int().min(160).max(1920),
      height: z.number().int().min(90).max(1080),
      frameRate: z.number().int().min(5).max(30),
    })
    .strict(),
);

/** on/off switches: booleans from flags, `on|off|true|false|1|0` from the environment. */
const onOff = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? ({ on: true, true: true, '1': true, off: false, false: false, '0': false }[v.toLowerCase()] ?? v)
      : v,
  z.boolean(),
);

export const configSchema = z
  .object({
    /** Data directory: SQLite database, blob store, PKI, secrets. */
    dataDir: z.string().min(1),
    host: z.string().min(1),
    /** 0 picks an ephemeral port (tests). */
    port,
    /** Public base URL (links in invitations, CRL distribution points); derived from host/port when absent. */
    baseUrl: z.string().url().optional(),
    /**
     * The public base URL printed in the QR code and short URL of every 确认书 and agreement (the
     * /verify page); the base URL when absent. Documents keep the URL they were stamped with.
     */
    publicUrl: z.string().url().optional(),
    /** An external RFC 3161 TSA; the in-process one is used when absent. */
    tsaUrl: z.string().url().optional(),
    /**
     * The append-only file that receives every audit checkpoint head, outside the data directory so
     * that whoever holds the data directory cannot rewrite both (put it on another volume or host,
     * ideally append-only: chattr +a); `<dataDir>.audit-anchor` beside the data directory when absent.
     */
    auditAnchor: z.string().min(1).optional(),
    /**
     * The PKCS#11 module (.so) of the HSM holding the platform keys; absent: the embedded SoftHSM2
     * token under <dataDir>/hsm (tests, the demo).
     */
    pkcs11Module: z.string().min(1).optional(),
    /** Label of the token in that module (required with pkcs11Module). */
    pkcs11Token: z.string().min(1).max(32).optional(),
    /** The token's user PIN (required with pkcs11Module; for the embedded token, <dataDir>/hsm/user.pin when absent). */
    pkcs11Pin: z.string().min(4).max(256).optional(),
    /** The built web client to serve; client/dist of the installation when absent. */
    clientDir: z.string().min(1).optional(),
    /** Creates the account `admin` with this password when the data has no accounts yet (first start of `serve`). */
    adminPassword: z.string().min(10, 'the first admin password needs at least 10 characters').max(256).optional(),
    /**
     * Blobs, recordings and evidence packages in an S3 bucket (cluster mode) instead of the data
     * directory; from TONGBAN_S3_ENDPOINT, _BUCKET, _ACCESS_KEY, _SECRET_KEY and _REGION (all but
     * the region required once one is set). Object Lock is used when the bucket has it.
     */
    s3: z
      .object({
        endpoint: z.string().url(),
        bucket: z
          .string()
          .regex(
            /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
            'an S3 bucket name: 3 to 63 lower-case letters, digits, dots, hyphens',
          ),
        accessKey: z.string().min(1).max(256),
        secretKey: z.string().min(1).max(256),
        region: z.string().min(1).max(64).default('us-east-1'),
      })
      .strict()
      .optional(),
    /**
     * The Redis that the nodes of a cluster share (issue 14 §2): socket.io messages between nodes,
     * login sessions, rate limits, media room placement. Absent: one node keeps them itself (SQLite, memory).
     */
    redisUrl: z
      .string()
      .url()
      .refine((u) => /^rediss?:\/\//.test(u), 'expected a redis:// or rediss:// URL')
      .optional(),
    /**
     * The PostgreSQL database the nodes of a cluster share (issue 14 §1), postgres://user:password@host/db.
     * Absent: the embedded SQLite database in the data directory.
     */
    databaseUrl: z
      .string()
      .url()
      .refine((u) => /^postgres(ql)?:\/\//.test(u), 'expected a postgres:// or postgresql:// URL')
      .optional(),
    /** Connections of this node's PostgreSQL pool (10 when absent). */
    databasePoolSize: positiveInt.max(1000).optional(),
    /**
     * What this process does in a cluster (issue 14 §5): `full` serves the API and hosts media rooms
     * (the embedded default, and clusters of equal nodes); `api` serves the API and the browsers'
     * sockets and relays their media signalling to a media node; `media` hosts rooms, records them
     * and serves only its health. `api` and `media` need the shared Redis.
     */
    nodeRole: z.enum(['full', 'api', 'media']).default('full'),
    /** Prefix of every Redis key and channel, so that several platforms or test runs can share one Redis. */
    redisPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only')
      .optional(),
    /** The media plane (mediasoup): how many workers, which ports WebRTC uses, what address it announces. */
    media: z
      .object({
        /** Video rooms on this server (off: the desk, signing and audit without live video, e.g. the CLI). */
        enabled: onOff,
        /** Run the recorder (live rooms are recorded; crashed recordings sealed at start); off for the CLI and SFU-only load tests. */
        record: onOff,
        /** Length of a recording segment, the unit of the hash chain. */
        segmentSeconds: positiveInt.max(60),
        /** mediasoup workers; one per core when absent. */
        workers: positiveInt.optional(),
        /** UDP/TCP ports of WebRTC transports (open them in the firewall). */
        rtcMinPort: port.refine((p) => p >= 1024, 'use a port from 1024 up'),
        rtcMaxPort: port.refine((p) => p >= 1024, 'use a port from 1024 up'),
        /** The address clients send media to when the server listens on every interface (behind NAT, its public IP). */
        announcedIp: z.string().ip().optional(),
        /** Cluster: the address this node's ends of media pipes to other media nodes listen on (and are reached at); the WebRTC one when absent. */
        pipeIp: z.string().ip().optional(),
        /** Send and receive cap (kbit/s) of each listed site's participants; others are uncapped. */
        siteBitrateCaps: siteCaps,
        /** Below this estimate of a receiver's downlink (kbit/s) its video pauses (audio only) until it recovers. */
        audioOnlyFloorKbps: positiveInt.min(30).max(10_000),
        /** What clients capture (the top simulcast layer); lower it where client machines are weak. */
        camera,
        /**
         * Cluster: sites whose participants this media node serves first (the node near them, e.g. a
         * province's own); a session's other participants are piped in from its home node.
         */
        sites: z
          .preprocess(
            (v) =>
              typeof v === 'string'
                ? v
                    .split(',')
                    .map((x) => x.trim())
                    .filter(Boolean)
                : v,
            z.array(z.string().min(1).max(64)).max(1000),
          )
          .optional(),
      })
      .strict()
      .refine((m) => m.rtcMinPort <= m.rtcMaxPort, {
        message: 'rtcMinPort must not be above rtcMaxPort',
        path: ['rtcMinPort'],
      }),
    limits: z
      .object({
        jsonBodyBytes: positiveInt,
        tsaRequestBytes: positiveInt,
        blobBytes: positiveInt,
        loginAttemptsPerWindow: positiveInt,
        loginWindowMs: positiveInt,
        /** Failed logins of one account (any address) before each further attempt must wait, doubling each time. */
        loginAccountBackoffAfter: positiveInt,
        loginAccountBackoffBaseMs: positiveInt,
        loginAccountBackoffMaxMs: positiveInt,
        /** Failed logins of one account within loginWindowMs that lock it for loginAccountLockMs, right password or not. */
        loginAccountLockAfter: positiveInt,
        loginAccountLockMs: positiveInt,
        /** Failed logins of all accounts from all addresses per loginWindowMs; beyond it every login waits for the window. */
        loginGlobalFailuresPerWindow: positiveInt,
        pinAttemptsPerWindow: positiveInt,
        pinWindowMs: positiveInt,
        /** Fewest digits of a signing PIN its owner chooses (6 to 12). */
        pinMinLength: z.coerce.number().int().min(6).max(12),
        /** How long a one-time PIN enrolment code an admin issued stays redeemable. */
        enrolmentCodeTtlMs: positiveInt,
        sessionTtlMs: positiveInt,
        invitationTtlMs: positiveInt,
        auditCheckpointIntervalMs: positiveInt,
        /** `audit verify` fails when entries have waited longer than this for a sealed, anchored checkpoint. */
        auditMaxUnanchoredMs: positiveInt,
        /** How often records past their retention (and not held) are deleted and their data destroyed. */
        retentionSweepIntervalMs: positiveInt,
        /** How often archived PDFs are checked for a long-term validation renewal (a fresh DSS and document timestamp). */
        ltvRenewalIntervalMs: positiveInt,
        /** Renew this many days before the last timestamp's TSA certificate or its hash algorithm ends (the TSA certificate lasts 5 years). */
        ltvRenewalMarginDays: positiveInt.max(1000),
        /**
         * Hash algorithms expected to weaken, with the date they stop being trusted: `SHA-256@2040-01-01`,
         * comma-separated from the environment (TONGBAN_LIMIT_LTV_WEAKENING_ALGORITHMS); none by default.
         */
        ltvWeakeningAlgorithms: z.preprocess(
          (v) =>
            typeof v === 'string'
              ? v
                  .split(',')
                  .map((item) => item.trim())
                  .filter(Boolean)
                  .map((item) => {
                    const [algorithm, endsAt] = item.split('@');
                    return { algorithm, endsAt };
                  })
              : v,
          z.array(
            z
              .object({
                algorithm: z.enum(['SHA-256', 'SHA-384', 'SHA-512']),
                endsAt: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'expected an ISO date'),
              })
              .strict(),
          ),
        ),
        /** How often ended login sessions and run-out rate-limit windows are deleted. */
        authPurgeIntervalMs: positiveInt,
        /** Evidence export jobs one user may have running at once (each builds a whole package). */
        evidenceJobsPerUser: positiveInt,
        /** How long a finished evidence job and its package stay downloadable before both are deleted. */
        evidenceJobTtlMs: positiveInt,
        /** Largest PDF or evidence zip the public /verify page accepts (held in memory while checked). */
        verifyUploadBytes: positiveInt,
        /** Public verifications (uploads and hash look-ups) per client address per verifyWindowMs. */
        verifyAttemptsPerWindow: positiveInt,
        verifyWindowMs: positiveInt,
        /** Most records one batch verification of a search result checks (a larger result is refused). */
        batchVerifyMaxRecords: positiveInt,
        /** Cluster (redisUrl): a media node whose heartbeat is older than this is dead; it beats every third of it. */
        mediaNodeTtlMs: positiveInt,
        /** Cluster: a session's media placement lapses unless its node renews it within this. */
        mediaPlacementTtlMs: positiveInt,
      })
      .strict()
      .refine((l) => l.auditMaxUnanchoredMs > l.auditCheckpointIntervalMs, {
        message: 'auditMaxUnanchoredMs must be longer than auditCheckpointIntervalMs',
        path: ['auditMaxUnanchoredMs'],
      }),
  })
  .strict()
  .refine((c) => c.nodeRole === 'full' || c.redisUrl, {
    message: 'an api or media node shares the cluster through Redis: set TONGBAN_REDIS_URL',
    path: ['nodeRole'],
  })
  .refine((c) => !c.pkcs11Module || (c.pkcs11Token && c.pkcs11Pin), {
    message: 'a PKCS#11 module needs its token label and user PIN (TONGBAN_PKCS11_TOKEN, TONGBAN_PKCS11_PIN)',
    path: ['pkcs11Module'],
  });

export type Config = z.infer<typeof configSchema>;

export const defaultLimits: Config['limits'] = {
  jsonBodyBytes: 256 * 1024,
  tsaRequestBytes: 16 * 1024,
  blobBytes: 512 * 1024 * 1024,
  loginAttemptsPerWindow: 10,
  loginWindowMs: 15 * 60_000,
  loginAccountBackoffAfter: 5,
  loginAccountBackoffBaseMs: 1000,
  loginAccountBackoffMaxMs: 5 * 60_000,
  loginAccountLockAfter: 10,
  loginAccountLockMs: 15 * 60_000,
  loginGlobalFailuresPerWindow: 500,
  pinAttemptsPerWindow: 10,
  pinWindowMs: 15 * 60_000,
  pinMinLength: 6,
  enrolmentCodeTtlMs: 72 * 3600_000,
  sessionTtlMs: 12 * 3600_000,
  invitationTtlMs: 30 * 60_000,
  auditCheckpointIntervalMs: 10 * 60_000,
  auditMaxUnanchoredMs: 30 * 60_000,
  authPurgeIntervalMs: 10 * 60_000,
  evidenceJobsPerUser: 3,
  evidenceJobTtlMs: 24 * 3600_000,
  batchVerifyMaxRecords: 1000,
  retentionSweepIntervalMs: 3600_000,
  ltvRenewalIntervalMs: 24 * 3600_000,
  ltvRenewalMarginDays: 90,
  ltvWeakeningAlgorithms: [],
  verifyUploadBytes: 64 * 1024 * 1024,
  verifyAttemptsPerWindow: 30,
  verifyWindowMs: 15 * 60_000,
  mediaNodeTtlMs: 6000,
  mediaPlacementTtlMs: 30_000,
};

export const defaultMedia: Config['media'] = {
  enabled: true,
  record: true,
  segmentSeconds: 4,
  rtcMinPort: 40000,
  rtcMaxPort: 49999,
  siteBitrateCaps: {},
  audioOnlyFloorKbps: 150,
  camera: cameraCapture,
};

const defaults = { dataDir: 'data', host: '127.0.0.1', port: 8443 } as const;

/** Sections whose keys merge one by one across layers (an environment variable sets one key, not the section). */
const SECTIONS = { limits: defaultLimits, media: defaultMedia } as const;

/**
 * Environment variables that set configuration; limits use TONGBAN_LIMIT_<NAME> (e.g.
 * TONGBAN_LIMIT_JSON_BODY_BYTES); the media plane TONGBAN_MEDIA (on|off), TONGBAN_RECORDING (on|off),
 * TONGBAN_RECORDING_SEGMENT_SECONDS, TONGBAN_MEDIA_WORKERS, TONGBAN_RTC_MIN_PORT, TONGBAN_RTC_MAX_PORT,
 * TONGBAN_ANNOUNCED_IP, TONGBAN_MEDIA_PIPE_IP, TONGBAN_SITE_BITRATE_CAPS (`site=kbps,…`), TONGBAN_AUDIO_ONLY_FLOOR_KBPS and TONGBAN_CAMERA
 * (`960x540@15`); the audit anchor TONGBAN_AUDIT_ANCHOR; the S3 blob store TONGBAN_S3_*; the shared Redis
 * TONGBAN_REDIS_URL and TONGBAN_REDIS_PREFIX; the shared PostgreSQL TONGBAN_DATABASE_URL and TONGBAN_DATABASE_POOL_SIZE; the node's role
 * TONGBAN_NODE_ROLE (full|api|media) and a media node's sites TONGBAN_MEDIA_SITES (`site,site`).
 */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  /** The set variables among `names` (config key → variable name), as config keys. */
  const pick = (names: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(names).flatMap(([key, name]) => (env[name] ? [[key, env[name]]] : [])));
  const out: Record<string, unknown> = pick({
    dataDir: 'TONGBAN_DATA',
    port: 'PORT',
    host: 'HOST',
    baseUrl: 'TONGBAN_BASE_URL',
    publicUrl: 'TONGBAN_PUBLIC_URL',
    tsaUrl: 'TSA_URL',
    auditAnchor: 'TONGBAN_AUDIT_ANCHOR',
    pkcs11Module: 'TONGBAN_PKCS11_MODULE',
    pkcs11Token: 'TONGBAN_PKCS11_TOKEN',
    pkcs11Pin: 'TONGBAN_PKCS11_PIN',
    adminPassword: 'TONGBAN_ADMIN_PASSWORD',
    clientDir: 'TONGBAN_CLIENT_DIR',
    redisUrl: 'TONGBAN_REDIS_URL',
    redisPrefix: 'TONGBAN_REDIS_PREFIX',
    databaseUrl: 'TONGBAN_DATABASE_URL',
    databasePoolSize: 'TONGBAN_DATABASE_POOL_SIZE',
    nodeRole: 'TONGBAN_NODE_ROLE',
  });
  const media = pick({
    enabled: 'TONGBAN_MEDIA',
    record: 'TONGBAN_RECORDING',
    segmentSeconds: 'TONGBAN_RECORDING_SEGMENT_SECONDS',
    workers: 'TONGBAN_MEDIA_WORKERS',
    rtcMinPort: 'TONGBAN_RTC_MIN_PORT',
    rtcMaxPort: 'TONGBAN_RTC_MAX_PORT',
    announcedIp: 'TONGBAN_ANNOUNCED_IP',
    pipeIp: 'TONGBAN_MEDIA_PIPE_IP',
    siteBitrateCaps: 'TONGBAN_SITE_BITRATE_CAPS',
    audioOnlyFloorKbps: 'TONGBAN_AUDIO_ONLY_FLOOR_KBPS',
    camera: 'TONGBAN_CAMERA',
    sites: 'TONGBAN_MEDIA_SITES',
  });
  if (Object.keys(media).length > 0) out.media = media;
  const s3 = pick({
    endpoint: 'TONGBAN_S3_ENDPOINT',
    bucket: 'TONGBAN_S3_BUCKET',
    accessKey: 'TONGBAN_S3_ACCESS_KEY',
    secretKey: 'TONGBAN_S3_SECRET_KEY',
    region: 'TONGBAN_S3_REGION',
  });
  if (Object.keys(s3).length > 0) out.s3 = s3;
  const limits: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('TONGBAN_LIMIT_') || value === undefined) continue;
    const camel = name
      .slice('TONGBAN_LIMIT_'.length)
      .toLowerCase()
      .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    limits[camel] = value;
  }
  if (Object.keys(limits).length > 0) out.limits = limits;
  return out;
}

/**
 * Merges the layers (later wins; limits merge key by key) and validates. Throws a ConfigError that
 * names every bad or unknown key.
 */
export function loadConfig(options: { env?: NodeJS.ProcessEnv; flags?: Record<string, unknown> } = {}): Config {
  const layers = [defaults, configFromEnv(options.env ?? {}), dropUndefined(options.flags ?? {})];
  const merged: Record<string, unknown> = { limits: { ...SECTIONS.limits }, media: { ...SECTIONS.media } };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (key in SECTIONS && value && typeof value === 'object')
        merged[key] = { ...(merged[key] as object), ...dropUndefined(value as Record<string, unknown>) };
      else merged[key] = value;
    }
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys'
        ? `unknown key(s) ${i.keys.join(', ')}`
        : `${i.path.join('.') || 'config'}: ${i.message}`,
    );
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const { auditAnchor } = parsed.data;
  return { ...parsed.data, dataDir: resolve(parsed.data.dataDir), auditAnchor: auditAnchor && resolve(auditAnchor) };
}

/** The audit anchor file: the configured one, else beside the data directory, not in it (a copy or rewrite of the data directory leaves it alone). */
export const auditAnchorFile = (config: Config) => config.auditAnchor ?? `${config.dataDir}.audit-anchor`;

export class ConfigError extends Error {}

/** The URL clients use: the configured base URL, else https://host:port. */
export function publicBaseUrl(config: Config, actualPort: number): string {
  if (config.baseUrl) return config.baseUrl.replace(/\/$/, '');
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `https://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
