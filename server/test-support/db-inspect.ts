// Looking into a test's database on either back-end: its tables, and where a text occurs.
import type { Database } from '../kernel/store/Database.js';

/** The tables of the schema (not SQLite's own). */
export async function tableNames(db: Database): Promise<string[]> {
  const rows = await db.all<{ name: string }>(
    db.dialect === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
      : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'",
  );
  return rows.map((r) => r.name).sort();
}

/** `table.column` of every text column holding `needle` in some row. */
export async function columnsContaining(db: Database, needle: string): Promise<string[]> {
  const columns = await db.all<{ t: string; c: string }>(
    db.dialect === 'sqlite'
      ? `SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND upper(p.type) = 'TEXT'`
      : `SELECT table_name AS t, column_name AS c FROM information_schema.columns
         WHERE table_schema = 'public' AND data_type IN ('text', 'character varying')`,
  );
  const found: string[] = [];
  for (const { t, c } of columns)
    if (await db.get(`SELECT 1 AS hit FROM "${t}" WHERE "${c}" LIKE ? LIMIT 1`, [`%${needle}%`]))
      found.push(`${t}.${c}`);
  return found;
}
