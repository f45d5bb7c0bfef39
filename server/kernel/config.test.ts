import { describe, expect, test } from 'vitest';
import { auditAnchorFile, ConfigError, defaultLimits, defaultMedia, loadConfig, publicBaseUrl } from './config.js';

describe('config layers: defaults → environment → flags', () => {
  test('LTV renewal: the weakening hashes from the environment, checked', () => {
    const c = loadConfig({
      env: { TONGBAN_LIMIT_LTV_WEAKENING_ALGORITHMS: 'SHA-256@2040-01-01, SHA-384@2050-01-01' },
    });
    expect(c.limits.ltvWeakeningAlgorithms).toEqual([
      { algorithm: 'SHA-256', endsAt: '2040-01-01' },
      { algorithm: 'SHA-384', endsAt: '2050-01-01' },
    ]);
    expect(() => loadConfig({ env: { TONGBAN_LIMIT_LTV_WEAKENING_ALGORITHMS: 'MD5@2020-01-01' } })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ env: { TONGBAN_LIMIT_LTV_RENEWAL_MARGIN_DAYS: '5000' } })).toThrow(ConfigError);
  });

  test('defaults are complete and valid', () => {
    const c = loadConfig();
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8443, limits: defaultLimits });
    expect(c.dataDir).toMatch(/\/data$/);
    expect(c.baseUrl).toBeUndefined();
  });

  test('environment overrides defaults; flags override the environment; limits merge key by key', () => {
    const env = {
      TONGBAN_DATA: '/srv/tongban',
      PORT: '9443',
      HOST: '0.0.0.0',
      TONGBAN_BASE_URL: 'https://desk.example.gov.cn',
      TSA_URL: 'https://tsa.example.gov.cn/tsr',
      TONGBAN_PKCS11_MODULE: '/usr/lib/softhsm/libsofthsm2.so',
      TONGBAN_PKCS11_TOKEN: 'tongban-prod',
      TONGBAN_PKCS11_PIN: 'secret-pin',
      TONGBAN_LIMIT_JSON_BODY_BYTES: '1024',
    };
    const fromEnv = loadConfig({ env });
    expect(fromEnv).toMatchObject({
      dataDir: '/srv/tongban',
      port: 9443,
      host: '0.0.0.0',
      tsaUrl: 'https://tsa.example.gov.cn/tsr',
      pkcs11Token: 'tongban-prod',
    });
    expect(fromEnv.limits.jsonBodyBytes).toBe(1024);
    expect(fromEnv.limits.invitationTtlMs).toBe(defaultLimits.invitationTtlMs);
    const withFlags = loadConfig({
      env,
      flags: { port: '7000', dataDir: undefined, limits: { invitationTtlMs: 60_000 } },
    });
    expect(withFlags.port).toBe(7000);
    expect(withFlags.dataDir).toBe('/srv/tongban');
    expect(withFlags.limits).toMatchObject({ jsonBodyBytes: 1024, invitationTtlMs: 60_000 });
    expect(publicBaseUrl(withFlags, 7000)).toBe('https://desk.example.gov.cn');
    expect(publicBaseUrl(loadConfig({ flags: { host: '0.0.0.0' } }), 8443)).toBe('https://localhost:8443');
  });

  test('media plane: workers, WebRTC port range and announced address from the environment or flags', () => {
    expect(loadConfig().media).toEqual(defaultMedia);
    const env = {
      TONGBAN_MEDIA_WORKERS: '3',
      TONGBAN_RTC_MIN_PORT: '50000',
      TONGBAN_RTC_MAX_PORT: '50999',
      TONGBAN_ANNOUNCED_IP: '203.0.113.20',
    };
    expect(loadConfig({ env }).media).toEqual({
      ...defaultMedia,
      workers: 3,
      rtcMinPort: 50000,
      rtcMaxPort: 50999,
      announcedIp: '203.0.113.20',
    });
    expect(loadConfig({ env, flags: { media: { rtcMaxPort: 51999 } } }).media).toMatchObject({
      workers: 3,
      rtcMinPort: 50000,
      rtcMaxPort: 51999,
    });
    expect(loadConfig({ env: { TONGBAN_RTC_MAX_PORT: '45000' } }).media).toEqual({
      ...defaultMedia,
      rtcMinPort: 40000,
      rtcMaxPort: 45000,
    });
    expect(() => loadConfig({ env: { TONGBAN_RTC_MIN_PORT: '46000', TONGBAN_RTC_MAX_PORT: '45000' } })).toThrow(
      /media.rtcMinPort: rtcMinPort must not be above rtcMaxPort/,
    );
    expect(() => loadConfig({ env: { TONGBAN_RTC_MIN_PORT: '80' } })).toThrow(
      /media.rtcMinPort: use a port from 1024 up/,
    );
    expect(() => loadConfig({ env: { TONGBAN_ANNOUNCED_IP: 'desk.example.gov.cn' } })).toThrow(/media.announcedIp/);
    expect(() => loadConfig({ env: { TONGBAN_MEDIA_WORKERS: '0' } })).toThrow(/media.workers/);
    expect(() => loadConfig({ flags: { media: { rtcPorts: '1-2' } } })).toThrow(/unknown key\(s\) rtcPorts/);
  });

  test('per-site bandwidth caps and the audio-only floor from the environment or flags', () => {
    const env = { TONGBAN_SITE_BITRATE_CAPS: 'xingren=300, lishui = 500', TONGBAN_AUDIO_ONLY_FLOOR_KBPS: '120' };
    expect(loadConfig({ env }).media).toMatchObject({
      siteBitrateCaps: { xingren: 300, lishui: 500 },
      audioOnlyFloorKbps: 120,
    });
    expect(loadConfig({ flags: { media: { siteBitrateCaps: { ninghai: 800 } } } }).media.siteBitrateCaps).toEqual({
      ninghai: 800,
    });
    expect(() => loadConfig({ env: { TONGBAN_SITE_BITRATE_CAPS: 'xingren=abc' } })).toThrow(/media.siteBitrateCaps/);
    expect(() => loadConfig({ env: { TONGBAN_SITE_BITRATE_CAPS: 'xingren=10' } })).toThrow(/media.siteBitrateCaps/);
    expect(() => loadConfig({ env: { TONGBAN_SITE_BITRATE_CAPS: 'xingren' } })).toThrow(/media.siteBitrateCaps/);
    expect(() => loadConfig({ env: { TONGBAN_AUDIO_ONLY_FLOOR_KBPS: '5' } })).toThrow(/media.audioOnlyFloorKbps/);
  });

  test('the camera clients capture: 960×540 at 15 fps by default, `WxH@fps` from the environment', () => {
    expect(loadConfig().media.camera).toEqual({ width: 960, height: 540, frameRate: 15 });
    expect(loadConfig({ env: { TONGBAN_CAMERA: '640x360@15' } }).media.camera).toEqual({
      width: 640,
      height: 360,
      frameRate: 15,
    });
    expect(() => loadConfig({ env: { TONGBAN_CAMERA: '640x360' } })).toThrow(/media.camera/);
    expect(() => loadConfig({ env: { TONGBAN_CAMERA: '64x36@15' } })).toThrow(/media.camera/);
    expect(() => loadConfig({ env: { TONGBAN_CAMERA: '640x360@60' } })).toThrow(/media.camera/);
  });

  test('features by configuration: live video and the recorder switch on and off, segments have a length', () => {
    expect(loadConfig().media).toMatchObject({ enabled: true, record: true, segmentSeconds: 4 });
    const off = loadConfig({
      env: { TONGBAN_MEDIA: 'off', TONGBAN_RECORDING: '0', TONGBAN_RECORDING_SEGMENT_SECONDS: '2' },
    }).media;
    expect(off).toMatchObject({ enabled: false, record: false, segmentSeconds: 2 });
    expect(loadConfig({ env: { TONGBAN_MEDIA: 'off' }, flags: { media: { enabled: true } } }).media.enabled).toBe(true);
    expect(() => loadConfig({ env: { TONGBAN_MEDIA: 'maybe' } })).toThrow(/media.enabled/);
    expect(() => loadConfig({ env: { TONGBAN_RECORDING_SEGMENT_SECONDS: '600' } })).toThrow(/media.segmentSeconds/);
  });

  test('unknown keys and bad values are refused with the key named', () => {
    expect(() => loadConfig({ flags: { colour: 'blue' } })).toThrow(/unknown key\(s\) colour/);
    expect(() => loadConfig({ flags: { limits: { jsonBodyByte: 1 } } })).toThrow(/unknown key\(s\) jsonBodyByte/);
    expect(() => loadConfig({ env: { TONGBAN_LIMIT_NO_SUCH: '1' } })).toThrow(/noSuch/);
    expect(() => loadConfig({ env: { PORT: '70000' } })).toThrow(/port/);
    expect(() => loadConfig({ env: { PORT: 'http' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { TONGBAN_PKCS11_MODULE: '/opt/hsm/lib.so' } })).toThrow(
      /pkcs11Module: a PKCS#11 module needs its token label and user PIN/,
    );
    expect(() => loadConfig({ env: { TONGBAN_BASE_URL: 'not a url' } })).toThrow(/baseUrl/);
    expect(() => loadConfig({ flags: { limits: { loginWindowMs: -5 } } })).toThrow(/limits.loginWindowMs/);
    expect(() => loadConfig({ env: { TONGBAN_ADMIN_PASSWORD: 'short' } })).toThrow(
      /adminPassword: the first admin password/,
    );
  });
});

describe('audit anchoring settings', () => {
  test('the anchor lies beside the data directory unless TONGBAN_AUDIT_ANCHOR names another place', () => {
    expect(auditAnchorFile(loadConfig({ env: { TONGBAN_DATA: '/srv/tongban' } }))).toBe('/srv/tongban.audit-anchor');
    const env = { TONGBAN_DATA: '/srv/tongban', TONGBAN_AUDIT_ANCHOR: '/var/lib/tongban-anchor/audit.jsonl' };
    expect(auditAnchorFile(loadConfig({ env }))).toBe('/var/lib/tongban-anchor/audit.jsonl');
  });

  test('the unanchored bound must exceed the checkpoint interval', () => {
    const env = {
      TONGBAN_LIMIT_AUDIT_CHECKPOINT_INTERVAL_MS: '600000',
      TONGBAN_LIMIT_AUDIT_MAX_UNANCHORED_MS: '60000',
    };
    expect(() => loadConfig({ env })).toThrow(/auditMaxUnanchoredMs must be longer than auditCheckpointIntervalMs/);
  });
});

describe('cluster settings', () => {
  test('TONGBAN_REDIS_URL and TONGBAN_REDIS_PREFIX choose the shared Redis; a bad URL or prefix is refused by name', () => {
    expect(loadConfig({}).redisUrl).toBeUndefined();
    const c = loadConfig({ env: { TONGBAN_REDIS_URL: 'redis://:pw@10.0.0.5:6380', TONGBAN_REDIS_PREFIX: 'city-a:' } });
    expect([c.redisUrl, c.redisPrefix]).toEqual(['redis://:pw@10.0.0.5:6380', 'city-a:']);
    expect(() => loadConfig({ env: { TONGBAN_REDIS_URL: 'http://10.0.0.5:6380' } })).toThrow(
      /redisUrl: expected a redis/,
    );
    expect(() => loadConfig({ env: { TONGBAN_REDIS_URL: 'not a url' } })).toThrow(/redisUrl/);
    expect(() => loadConfig({ env: { TONGBAN_REDIS_PREFIX: 'has space' } })).toThrow(/redisPrefix/);
    expect(loadConfig({ env: { TONGBAN_LIMIT_MEDIA_NODE_TTL_MS: '9000' } }).limits.mediaNodeTtlMs).toBe(9000);
  });

  test('TONGBAN_DATABASE_URL chooses PostgreSQL (pool size 10 unless set); a bad URL is refused without its password', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    const url = 'postgresql://tongban:s3cret-pw@10.0.0.7:5432/tongban';
    const c = loadConfig({ env: { TONGBAN_DATABASE_URL: url, TONGBAN_DATABASE_POOL_SIZE: '25' } });
    expect([c.databaseUrl, c.databasePoolSize]).toEqual([url, 25]);
    expect(loadConfig({ env: { TONGBAN_DATABASE_URL: 'postgres://h/db' } }).databasePoolSize).toBeUndefined();
    const refused = () => loadConfig({ env: { TONGBAN_DATABASE_URL: 'mysql://tongban:s3cret-pw@10.0.0.7/tongban' } });
    expect(refused).toThrow(/databaseUrl: expected a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(refused).not.toThrow(/s3cret-pw/);
    expect(() => loadConfig({ env: { TONGBAN_DATABASE_POOL_SIZE: '0' } })).toThrow(/databasePoolSize/);
  });
});
