// The database a server or CLI command opens: the shared PostgreSQL when TONGBAN_DATABASE_URL is set
// (cluster mode), else the embedded SQLite file of the data directory.
import { existsSync } from 'node:fs';
import type { Config } from '../config.js';
import { Database } from './Database.js';
import { databaseFile } from './paths.js';

type DatabaseConfig = Pick<Config, 'dataDir' | 'databaseUrl' | 'databasePoolSize'>;

export function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.databaseUrl) return Database.connect(config.databaseUrl, { poolSize: config.databasePoolSize });
  return Promise.resolve(Database.open(databaseFile(config.dataDir)));
}

/**
 * Whether there is a database to open without creating one (CLI commands that only read): always for
 * PostgreSQL, where the database is made by whoever runs the server; the file for SQLite.
 */
export function databaseExists(config: DatabaseConfig): boolean {
  return config.databaseUrl !== undefined || existsSync(databaseFile(config.dataDir));
}

/** Where the database is, for messages: never the PostgreSQL password. */
export function databaseLocation(config: DatabaseConfig): string {
  if (!config.databaseUrl) return databaseFile(config.dataDir);
  const url = new URL(config.databaseUrl);
  return `${url.protocol}//${url.host}${url.pathname}`;
}
