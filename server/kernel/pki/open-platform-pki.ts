import { publicBaseUrl, type Config } from '../config.js';
import type { Database } from '../store/Database.js';
import { masterKeyFromHex } from './master-key.js';
import { PlatformPki, type PlatformPkiOptions } from './PlatformPki.js';

type Tuning = Pick<PlatformPkiOptions, 'clock' | 'caKeyBits' | 'pinKdfCost'>;

/**
 * The platform PKI of a configured data directory, opened the same way by the server and by every
 * CLI command: the configured master key (else the data directory's), TSA and public URL (CRL
 * distribution points must name where the server really publishes them).
 */
export function openPlatformPki(config: Config, db: Database, tuning: Tuning = {}): PlatformPki {
  return PlatformPki.open({
    db,
    dataDir: config.dataDir,
    baseUrl: publicBaseUrl(config, config.port),
    ...(config.tsaUrl ? { tsaUrl: config.tsaUrl } : {}),
    ...(config.masterKey ? { masterKey: masterKeyFromHex(config.masterKey) } : {}),
    ...tuning,
  });
}
