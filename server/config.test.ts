import { describe, expect, test } from 'vitest';
import { ConfigError, defaultLimits, loadConfig, publicBaseUrl } from './config.js';

describe('config layers: defaults → environment → flags', () => {
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
      TONGBAN_MASTER_KEY: 'ab'.repeat(32),
      TONGBAN_LIMIT_JSON_BODY_BYTES: '1024',
    };
    const fromEnv = loadConfig({ env });
    expect(fromEnv).toMatchObject({ dataDir: '/srv/tongban', port: 9443, host: '0.0.0.0', tsaUrl: 'https://tsa.example.gov.cn/tsr' });
    expect(fromEnv.limits.jsonBodyBytes).toBe(1024);
    expect(fromEnv.limits.invitationTtlMs).toBe(defaultLimits.invitationTtlMs);
    const withFlags = loadConfig({ env, flags: { port: '7000', dataDir: undefined, limits: { invitationTtlMs: 60_000 } } });
    expect(withFlags.port).toBe(7000);
    expect(withFlags.dataDir).toBe('/srv/tongban');
    expect(withFlags.limits).toMatchObject({ jsonBodyBytes: 1024, invitationTtlMs: 60_000 });
    expect(publicBaseUrl(withFlags, 7000)).toBe('https://desk.example.gov.cn');
    expect(publicBaseUrl(loadConfig({ flags: { host: '0.0.0.0' } }), 8443)).toBe('https://localhost:8443');
  });

  test('unknown keys and bad values are refused with the key named', () => {
    expect(() => loadConfig({ flags: { colour: 'blue' } })).toThrow(/unknown key\(s\) colour/);
    expect(() => loadConfig({ flags: { limits: { jsonBodyByte: 1 } } })).toThrow(/unknown key\(s\) jsonBodyByte/);
    expect(() => loadConfig({ env: { TONGBAN_LIMIT_NO_SUCH: '1' } })).toThrow(/noSuch/);
    expect(() => loadConfig({ env: { PORT: '70000' } })).toThrow(/port/);
    expect(() => loadConfig({ env: { PORT: 'http' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { TONGBAN_MASTER_KEY: 'short' } })).toThrow(/masterKey: expected 64 hex digits/);
    expect(() => loadConfig({ env: { TONGBAN_BASE_URL: 'not a url' } })).toThrow(/baseUrl/);
    expect(() => loadConfig({ flags: { limits: { loginWindowMs: -5 } } })).toThrow(/limits.loginWindowMs/);
    expect(() => loadConfig({ env: { TONGBAN_ADMIN_PASSWORD: 'short' } })).toThrow(/adminPassword: the first admin password/);
  });
});
