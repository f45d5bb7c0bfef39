// Audit anchoring against someone holding the data directory (issue 12 §6): the database (the SQLite
// file; in the PostgreSQL run a copy of the server's database) is edited by hand — checkpoints deleted, an entry rewritten, the whole hash chain recomputed, the
// tail dropped, even the checkpoints re-sealed with the platform's own keys — and the real
// `tongban audit verify` must print FAILED with the reason and exit non-zero. Each variant works on
// a copy of one stopped server's data directory and its anchor file beside it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditAnchorFile, loadConfig } from '../config.js';
import { openPlatformPki } from '../pki/open-platform-pki.js';
import type { Database } from '../store/Database.js';
import { openDatabase } from '../store/open-database.js';
import { copyPostgresDatabase } from '../../test-support/databases.js';
import { TestServer } from '../../test-support/TestServer.js';
import { FileAuditAnchor } from './AuditAnchor.js';
import { AuditCheckpointer } from './AuditCheckpointer.js';
import { AuditLog, entryHash, GENESIS_HASH, rowToEntry, type AuditRow } from './AuditLog.js';
import { platformSealer } from './platform-sealer.js';

let original: string;
/** The stopped server's PostgreSQL database in the PostgreSQL run (copied with each data directory). */
let originalDatabase: string | undefined;
let checkpoints: number;
const scratch = mkdtempSync(join(tmpdir(), 'tongban-anchor-'));
/** The PostgreSQL database of each copy, by its data directory. */
const copiedDatabases = new Map<string, { url: string; drop: () => Promise<void> }>();

function cli(dataDir: string, env: Record<string, string> = {}) {
  const databaseUrl = copiedDatabases.get(dataDir)?.url;
  const r = spawnSync(process.execPath, ['bin/tongban.cjs', 'audit', 'verify', '--data', dataDir], {
    encoding: 'utf8',
    env: {
      ...process.env,
      TONGBAN_AUDIT_ANCHOR: '',
      ...(databaseUrl ? { TONGBAN_DATABASE_URL: databaseUrl } : {}),
      ...env,
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let copies = 0;
/** A copy of the stopped server's data directory (and database) with its anchor beside it (the default place). */
async function copy(): Promise<string> {
  const dataDir = join(scratch, `copy-${++copies}`, 'data');
  cpSync(original, dataDir, { recursive: true });
  cpSync(`${original}.audit-anchor`, `${dataDir}.audit-anchor`);
  if (originalDatabase) copiedDatabases.set(dataDir, await copyPostgresDatabase(originalDatabase));
  return dataDir;
}

/** The copy's database, opened as the CLI opens it. */
const open = (dataDir: string) => openDatabase({ dataDir, databaseUrl: copiedDatabases.get(dataDir)?.url });

async function edit(dataDir: string, change: (db: Database) => Promise<unknown>): Promise<void> {
  const db = await open(dataDir);
  try {
    await change(db);
  } finally {
    await db.close();
  }
}

/** What an attacker with the data directory does: rewrites one entry and recomputes every hash after it. */
async function rewriteAndRecompute(db: Database, action: string): Promise<void> {
  const victim = await db.get<{ id: number }>('SELECT id FROM audit_log WHERE action = ? ORDER BY id LIMIT 1', [
    action,
  ]);
  await db.run('UPDATE audit_log SET details = ? WHERE id = ?', ['{"note":"rewritten"}', victim!.id]);
  let prev = GENESIS_HASH;
  const rows = await db.all<AuditRow>('SELECT * FROM audit_log ORDER BY id');
  const update = 'UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?';
  await db.transaction(async () => {
    for (const row of rows) {
      const hash = entryHash({ ...rowToEntry(row), prevHash: prev });
      await db.run(update, [prev, `tmp-${row.id}`, row.id]); // hash is UNIQUE: park it first
      await db.run(update, [prev, hash, row.id]);
      prev = hash;
    }
  });
}

const dropLast = (db: Database, n: number) =>
  db.run('DELETE FROM audit_log WHERE id > (SELECT MAX(id) FROM audit_log) - ?', [n]);

beforeAll(async () => {
  const server = await TestServer.start({ seed: true });
  const xingren = await server.login('clerk.xingren');
  for (const name of ['张三', '李四', '王五']) {
    await xingren.post('/api/cases', {
      matterId: 'shebao-tingjiao',
      handlingSite: 'cixi',
      applicant: { name, idNumber: '522501199001011234' },
    });
    expect(await server.app.checkpointAudit()).toBeGreaterThan(0);
  }
  const v = (await (await server.login('auditor')).get('/api/audit/verification')).json();
  expect(v).toMatchObject({ valid: true, anchor: { heads: 3 }, checkpoints: { count: 3, sealsVerified: 3 } });
  await server.stop(); // seals the head once more
  original = server.dataDir;
  originalDatabase = server.databaseUrl;
  checkpoints = 4;
});

afterAll(async () => {
  for (const database of copiedDatabases.values()) await database.drop();
  rmSync(scratch, { recursive: true, force: true });
  if (original) {
    rmSync(original, { recursive: true, force: true });
    rmSync(`${original}.audit-anchor`, { force: true });
  }
});

describe('the anchor', () => {
  test('is a 0600 append-only file beside the data directory, one head per checkpoint; the untouched copy verifies', async () => {
    const anchor = `${original}.audit-anchor`;
    expect(auditAnchorFile(loadConfig({ flags: { dataDir: original } }))).toBe(anchor);
    expect(statSync(anchor).mode & 0o777).toBe(0o600);
    const lines = readFileSync(anchor, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(checkpoints);
    expect(JSON.parse(lines[1]!)).toMatchObject({ seq: 2, checkpoint_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const r = cli(await copy());
    expect(r.stdout).toContain(`${checkpoints} sealed checkpoints, ${checkpoints} seals and time-stamps verified`);
    expect(r.stdout).toContain('OK: the chain, every checkpoint and the anchor hold');
    expect(r.status).toBe(0);
  });

  test('TONGBAN_AUDIT_ANCHOR names another place: a moved anchor is used, a wrong place is missing', async () => {
    const dataDir = await copy();
    const moved = join(scratch, 'elsewhere', 'anchor.jsonl');
    cpSync(`${dataDir}.audit-anchor`, moved);
    rmSync(`${dataDir}.audit-anchor`);
    expect(cli(dataDir, { TONGBAN_AUDIT_ANCHOR: moved }).status).toBe(0);
    const r = cli(dataDir);
    expect(r.stdout).toMatch(/FAILED: first bad anchor #0: the anchor .* is missing, but the database has 4 anchored/);
    expect(r.status).toBe(1);
  });
});

describe('attack: audit rewrite with recomputed hashes and deleted checkpoints', () => {
  test('attack: checkpoints deleted, one entry rewritten, the chain recomputed, the last 3 entries dropped → FAILED', async () => {
    const dataDir = await copy();
    await edit(dataDir, async (db) => {
      await db.run('DELETE FROM audit_checkpoints');
      await rewriteAndRecompute(db, 'case.created');
      await dropLast(db, 3);
    });
    const r = cli(dataDir);
    expect(r.stdout).toMatch(
      /FAILED: first bad anchor #4: entries dropped from the end: the anchored checkpoint #4 names entry \d+, the log ends at \d+/,
    );
    expect(r.status).toBe(1);
  });

  test('attack: the same without dropping the tail → the anchor pins the old head', async () => {
    const dataDir = await copy();
    await edit(dataDir, async (db) => {
      await db.run('DELETE FROM audit_checkpoints');
      await rewriteAndRecompute(db, 'case.created');
    });
    const r = cli(dataDir);
    expect(r.stdout).toMatch(
      /FAILED: first bad anchor #\d: the anchor pins entry \d+ to head .*the chain was rewritten/,
    );
    expect(r.status).toBe(1);
  });

  test('attack: the recomputed chain re-sealed and re-time-stamped with the platform keys (master key stolen) → the anchor still refuses', async () => {
    const dataDir = await copy();
    await edit(dataDir, async (db) => {
      await db.run('DELETE FROM audit_checkpoints');
      await rewriteAndRecompute(db, 'case.created');
    });
    // The attacker's own checkpoints: valid seals and tokens from the real PKI, their own anchor file.
    const db = await open(dataDir);
    const pki = openPlatformPki(loadConfig({ flags: { dataDir } }), db);
    const forger = new AuditCheckpointer({
      db,
      log: new AuditLog(db, () => new Date()),
      sealer: platformSealer(pki),
      anchor: new FileAuditAnchor(join(scratch, 'forged.anchor')),
      clock: () => new Date(),
    });
    expect(await forger.checkpoint()).toBe(1);
    await db.close();
    const selfConsistent = cli(dataDir, { TONGBAN_AUDIT_ANCHOR: join(scratch, 'forged.anchor') });
    expect(selfConsistent.status).toBe(0); // the database alone is consistent again…
    const r = cli(dataDir); // …but not with the real anchor
    expect(r.stdout).toMatch(
      /FAILED: first bad anchor #\d: the anchor pins entry \d+ to head .*the chain was rewritten/,
    );
    expect(r.status).toBe(1);
  });

  test('attack: checkpoints deleted (chain untouched) → FAILED: the anchor has them, the database does not', async () => {
    const dataDir = await copy();
    await edit(dataDir, (db) => db.run('DELETE FROM audit_checkpoints'));
    const r = cli(dataDir);
    expect(r.stdout).toContain('FAILED: first bad anchor #1: the anchor has checkpoint #1 (entry ');
    expect(r.stdout).toContain('the database does not (checkpoints deleted)');
    expect(r.status).toBe(1);
  });

  test('attack: a checkpoint in the middle deleted → FAILED: the chain of checkpoints is broken', async () => {
    const dataDir = await copy();
    await edit(dataDir, (db) => db.run('DELETE FROM audit_checkpoints WHERE id = 2'));
    const r = cli(dataDir);
    expect(r.stdout).toContain(
      'FAILED: first bad checkpoint #3: checkpoint #2 is missing (#3 follows #1): the chain of checkpoints is broken',
    );
    expect(r.status).toBe(1);
  });

  test('attack: the last 3 entries dropped and the checkpoints naming them deleted → FAILED: dropped from the end', async () => {
    const dataDir = await copy();
    await edit(dataDir, async (db) => {
      await dropLast(db, 3);
      await db.run('DELETE FROM audit_checkpoints WHERE entry_id > (SELECT MAX(id) FROM audit_log)');
    });
    const r = cli(dataDir);
    expect(r.stdout).toMatch(/FAILED: first bad anchor #4: entries dropped from the end/);
    expect(r.status).toBe(1);
  });

  test('attack: the anchor file deleted, truncated by a line, or cut mid-line → FAILED', async () => {
    const missing = await copy();
    rmSync(`${missing}.audit-anchor`);
    const a = cli(missing);
    expect(a.stdout).toMatch(/FAILED: first bad anchor #0: the anchor .*audit-anchor is missing/);
    expect(a.status).toBe(1);

    const truncated = await copy();
    const lines = readFileSync(`${truncated}.audit-anchor`, 'utf8').trim().split('\n');
    writeFileSync(`${truncated}.audit-anchor`, `${lines.slice(0, -1).join('\n')}\n`);
    const b = cli(truncated);
    expect(b.stdout).toContain(
      'FAILED: first bad anchor #4: checkpoint #4 is not in the anchor (the anchor was truncated, or the checkpoint forged)',
    );
    expect(b.status).toBe(1);

    const torn = await copy();
    const text = readFileSync(`${torn}.audit-anchor`, 'utf8');
    writeFileSync(`${torn}.audit-anchor`, text.slice(0, text.length - 20));
    const c = cli(torn);
    expect(c.stdout).toMatch(/FAILED: first bad anchor #0: .*the last line is incomplete/);
    expect(c.status).toBe(1);
  });

  test('entries older than the configured bound without a checkpoint → FAILED (TONGBAN_LIMIT_AUDIT_MAX_UNANCHORED_MS)', async () => {
    const dataDir = await copy();
    const db = await open(dataDir);
    const hourAgo = new Date(Date.now() - 3600_000);
    const entry = await new AuditLog(db, () => hourAgo).append({ actor: 'system', action: 'test.unsealed' });
    await db.close();
    const r = cli(dataDir);
    expect(r.stdout).toContain(
      `FAILED: first bad log #${entry.id}: entries from #${entry.id} (${hourAgo.toISOString()}) on have no checkpoint for longer than 1800 s`,
    );
    expect(r.status).toBe(1);
    // A bound of two hours admits it.
    expect(cli(dataDir, { TONGBAN_LIMIT_AUDIT_MAX_UNANCHORED_MS: String(2 * 3600_000) }).status).toBe(0);
  });

  test('a head the anchor got but the database did not (a crash between the two) is re-sealed at the next start', async () => {
    const dataDir = await copy();
    await edit(dataDir, (db) => db.run('DELETE FROM audit_checkpoints WHERE id = 4'));
    expect(cli(dataDir).status).toBe(1);
    const server = await TestServer.start({ dataDir, databaseUrl: copiedDatabases.get(dataDir)?.url });
    await server.stop();
    const r = cli(dataDir);
    expect(r.stdout).toContain('OK');
    expect(r.status).toBe(0);
    expect(existsSync(`${dataDir}.audit-anchor`)).toBe(true);
  });
});
