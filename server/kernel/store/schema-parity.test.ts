// The two back-ends cannot drift apart: every migration has a PostgreSQL text, and a fresh SQLite
// file and a fresh PostgreSQL database migrated to the newest version have the same tables, columns
// (name, order, nullability, type family), primary keys, unique and plain indexes and foreign keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from '../../test-support/databases.js';
import type { Database } from './Database.js';
import { migrations } from './migrations/index.js';

interface Column {
  name: string;
  family: string;
  notNull: boolean;
}
interface Table {
  columns: Column[];
  primaryKey: string[];
  /** `[unique ]cols[ where …]`, sorted: the primary key's own index left out. */
  indexes: string[];
  /** `cols -> table(cols) on delete …`, sorted. */
  foreignKeys: string[];
}
type Schema = Record<string, Table>;

const FAMILIES: [RegExp, string][] = [
  [/^(integer|bigint|smallint|int)$/i, 'integer'],
  [/^(text|character varying)$/i, 'text'],
  [/^(blob|bytea)$/i, 'blob'],
  [/^(real|double precision)$/i, 'real'],
];
function family(type: string): string {
  const found = FAMILIES.find(([re]) => re.test(type.trim()));
  if (!found) throw new Error(`no type family for ${type}`);
  return found[1];
}

const ON_DELETE: Record<string, string> = {
  'NO ACTION': 'no action',
  a: 'no action',
  CASCADE: 'cascade',
  c: 'cascade',
};

async function sqliteSchema(db: Database): Promise<Schema> {
  const schema: Schema = {};
  // Resolved once every table's primary key is known: `REFERENCES t` without columns names t's key.
  const references: { table: string; from: string[]; target: string; to?: string[]; onDelete: string }[] = [];
  const tables = await db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  for (const { name } of tables) {
    const info = await db.all<{ name: string; type: string; notnull: number; pk: number }>(
      'SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid',
      [name],
    );
    const primaryKey = info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    // A primary key column is NOT NULL on PostgreSQL (SQLite's rowid alias is too; a TEXT key is by our code).
    const columns = info.map((c) => ({ name: c.name, family: family(c.type), notNull: c.notnull === 1 || c.pk > 0 }));
    const indexes: string[] = [];
    for (const ix of await db.all<{ name: string; unique: number; origin: string; partial: number }>(
      'SELECT name, "unique", origin, partial FROM pragma_index_list(?)',
      [name],
    )) {
      if (ix.origin === 'pk') continue;
      const cols = await db.all<{ name: string }>('SELECT name FROM pragma_index_info(?) ORDER BY seqno', [ix.name]);
      indexes.push(
        indexKey(
          ix.unique === 1,
          cols.map((c) => c.name),
          ix.partial === 1,
        ),
      );
    }
    const fks = await db.all<{ id: number; table: string; from: string; to: string | null; on_delete: string }>(
      'SELECT id, "table", "from", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq',
      [name],
    );
    for (const id of new Set(fks.map((fk) => fk.id))) {
      const parts = fks.filter((fk) => fk.id === id);
      references.push({
        table: name,
        from: parts.map((p) => p.from),
        target: parts[0]!.table,
        to: parts.every((p) => p.to) ? parts.map((p) => p.to!) : undefined,
        onDelete: ON_DELETE[parts[0]!.on_delete]!,
      });
    }
    schema[name] = { columns, primaryKey, indexes: indexes.sort(), foreignKeys: [] };
  }
  for (const r of references)
    schema[r.table]!.foreignKeys.push(fkKey(r.from, r.target, r.to ?? schema[r.target]!.primaryKey, r.onDelete));
  for (const table of Object.values(schema)) table.foreignKeys.sort();
  return schema;
}

async function postgresSchema(db: Database): Promise<Schema> {
  const schema: Schema = {};
  const tables = await db.all<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  // Columns of a table by attribute number (constraint and index definitions name them so).
  const attributes = async (table: string) =>
    new Map(
      (
        await db.all<{ attnum: number; attname: string }>(
          `SELECT attnum, attname FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped`,
          [table],
        )
      ).map((a) => [a.attnum, a.attname]),
    );
  for (const { name } of tables) {
    const cols = await db.all<{ column_name: string; data_type: string; is_nullable: string }>(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position`,
      [name],
    );
    const attrs = await attributes(name);
    const names = (nums: string) =>
      nums
        .split(' ')
        .filter((n) => n !== '')
        .map((n) => attrs.get(Number(n))!);
    const indexRows = await db.all<{ keys: string; unique: boolean; primary: boolean; partial: boolean }>(
      `SELECT indkey::text AS keys, indisunique AS "unique", indisprimary AS "primary", indpred IS NOT NULL AS partial
       FROM pg_index WHERE indrelid = ?::regclass`,
      [name],
    );
    const primary = indexRows.find((r) => r.primary);
    const fkRows = await db.all<{ conkey: string; target: string; confkey: string; deltype: string }>(
      `SELECT array_to_string(conkey, ' ') AS conkey, confrelid::regclass::text AS target,
         array_to_string(confkey, ' ') AS confkey, confdeltype AS deltype
       FROM pg_constraint WHERE conrelid = ?::regclass AND contype = 'f'`,
      [name],
    );
    const foreignKeys: string[] = [];
    for (const fk of fkRows) {
      const targetAttrs = await attributes(fk.target);
      const to = fk.confkey.split(' ').map((n) => targetAttrs.get(Number(n))!);
      foreignKeys.push(fkKey(names(fk.conkey), fk.target, to, ON_DELETE[fk.deltype]!));
    }
    schema[name] = {
      columns: cols.map((c) => ({ name: c.column_name, family: family(c.data_type), notNull: c.is_nullable === 'NO' })),
      primaryKey: primary ? names(primary.keys) : [],
      indexes: indexRows
        .filter((r) => !r.primary)
        .map((r) => indexKey(r.unique, names(r.keys), r.partial))
        .sort(),
      foreignKeys: foreignKeys.sort(),
    };
  }
  return schema;
}

const indexKey = (unique: boolean, cols: string[], partial: boolean) =>
  `${unique ? 'unique ' : ''}${cols.join(', ')}${partial ? ' (partial)' : ''}`;
const fkKey = (from: string[], target: string, to: string[], onDelete: string) =>
  `${from.join(', ')} -> ${target}(${to.join(', ')}) on delete ${onDelete}`;

describe('schema parity of the two back-ends', () => {
  let sqlite: TestDatabase;
  let postgres: TestDatabase;
  beforeAll(async () => {
    [sqlite, postgres] = await Promise.all([testDatabase('sqlite'), testDatabase('postgres')]);
  });
  afterAll(async () => {
    await Promise.all([sqlite?.drop(), postgres?.drop()]);
  });

  it('every migration has a PostgreSQL text', () => {
    const missing = migrations.filter((m) => !m.postgres?.trim()).map((m) => `${m.version} ${m.name}`);
    expect(missing, 'migrations without a `postgres` text: write it next to `sql`').toEqual([]);
  });

  it('a fresh SQLite file and a fresh PostgreSQL database migrate to the same schema', async () => {
    const [a, b] = await Promise.all([sqliteSchema(sqlite.db), postgresSchema(postgres.db)]);
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const table of Object.keys(a)) expect({ table, ...b[table] }).toEqual({ table, ...a[table] });
    expect(await postgres.db.schemaVersion()).toBe(await sqlite.db.schemaVersion());
    const columns = Object.values(a).reduce((n, t) => n + t.columns.length, 0);
    const fks = Object.values(a).reduce((n, t) => n + t.foreignKeys.length, 0);
    const indexes = Object.values(a).reduce((n, t) => n + t.indexes.length, 0);
    console.log(
      `schema parity: ${Object.keys(a).length} tables, ${columns} columns, ${indexes} indexes, ${fks} foreign keys alike on SQLite and PostgreSQL (version ${await sqlite.db.schemaVersion()})`,
    );
  });
});
