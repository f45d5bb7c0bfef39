import { loadConfig, type Config } from '../kernel/config.js';
import { CliError } from './command.js';

/** The configuration a CLI command runs with: environment plus the data directory it was given. */
export function cliConfig(dataDir: string): Config {
  try {
    return loadConfig({ env: process.env, flags: { dataDir } });
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
}
