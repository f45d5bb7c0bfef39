import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { migrations, type Migration } from './migrations/index.js';
import { privateUmask } from './private-files.js';

export type Sqlite = BetterSqlite3.Database;

let addon: string | undefined;
/**
 * better-sqlite3's addon, by its path: by default the package finds it with `bindings`, which
 * reads the call stack and tries a dozen places, a cost on every start of the `tongban` command.
 */
function addonPath(): string {
  addon ??= join(
    dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')),
    'build',
    'Release',
    'better_sqlite3.node',
  );
  return addon;
}

/**
 * The metadata database: one SQLite file in WAL mode with foreign keys on, brought to the newest
 * schema by versioned migrations when opened. Each migration runs in its own transaction and is
 * recorded in `schema_migrations`, so a crash mid-migration leaves the previous version intact.
 */
export class Database {
  readonly #db: Sqlite;

  private constructor(db: Sqlite) {
    this.#db = db;
  }

  static open(file: string, list: readonly Migration[] = migrations): Database {
    // The database and its WAL hold personal data: 0600, whoever opens it (server or CLI).
    privateUmask();
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const db = new BetterSqlite3(file, { nativeBinding: addonPath() });
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    const database = new Database(db);
    database.#migrate(list);
    return database;
  }

  get sql(): Sqlite {
    return this.#db;
  }

  /** Runs `fn` in one transaction (rolled back if it throws). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  schemaVersion(): number {
    const row = this.#db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
    return row.v ?? 0;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #migrate(list: readonly Migration[]): void {
    this.#db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const applied = new Set(
      (this.#db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
    );
    const sorted = [...list].sort((a, b) => a.version - b.version);
    for (const m of sorted) {
      if (applied.has(m.version)) continue;
      this.#db.transaction(() => {
        this.#db.exec(m.sql);
        this.#db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, new Date().toISOString());
      })();
    }
  }
}
