import { loadConfig, type Config } from '../kernel/config.js';
import { CliError } from './command.js';

/**
 * The configuration a CLI command runs with: environment plus the data directory it was given; no
 * live video and no recorder (a command works on the data, beside a running server or without one).
 */
export function cliConfig(dataDir: string): Config {
  try {
    return loadConfig({ env: process.env, flags: { dataDir, media: { enabled: false, record: false } } });
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
}
