import { publicBaseUrl, type Config } from '../config.js';
import { openEmbeddedToken } from '../hsm/embedded-softhsm.js';
import { Pkcs11Token } from '../hsm/Pkcs11Token.js';
import type { Database } from '../store/Database.js';
import { PlatformPki, type PlatformPkiOptions } from './PlatformPki.js';

type Tuning = Pick<PlatformPkiOptions, 'clock' | 'caKeyBits' | 'pinKdfCost'>;

/** Production tokens, one per module and label in the process (the server and a CLI command in it share it). */
const hsmTokens = new Map<string, Pkcs11Token>();

/**
 * The configured PKCS#11 token: the HSM named by pkcs11Module/pkcs11Token/pkcs11Pin, else the
 * embedded SoftHSM2 token of the data directory.
 */
export function openPlatformToken(config: Config): Pkcs11Token {
  if (!config.pkcs11Module) return openEmbeddedToken(config.dataDir, config.pkcs11Pin);
  const key = `${config.pkcs11Module}\n${config.pkcs11Token}`;
  let token = hsmTokens.get(key);
  if (!token) {
    token = Pkcs11Token.open({ module: config.pkcs11Module, tokenLabel: config.pkcs11Token!, pin: config.pkcs11Pin! });
    hsmTokens.set(key, token);
  }
  return token;
}

/**
 * The platform PKI of a configured data directory, opened the same way by the server and by every
 * CLI command: the configured token, TSA and public URL (CRL distribution points must name where
 * the server really publishes them).
 */
export function openPlatformPki(config: Config, db: Database, tuning: Tuning = {}): PlatformPki {
  return PlatformPki.open({
    db,
    dataDir: config.dataDir,
    baseUrl: publicBaseUrl(config, config.port),
    ...(config.tsaUrl ? { tsaUrl: config.tsaUrl } : {}),
    token: openPlatformToken(config),
    ...tuning,
  });
}
