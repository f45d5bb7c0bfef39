// The audit hash chain on both back-ends, and strictly ordered under concurrent writers: many
// appends at once in one node, and (PostgreSQL) two nodes — two Database instances, two pools — on
// one database appending 2 × 200 entries interleaved. The chain must then verify end to end: ids
// 1…n without a gap, each prev_hash the hash of the entry before, no fork. The checkpointer seals
// and anchors the head on both back-ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeBackends, testDatabase, type Backend, type TestDatabase } from '../../test-support/databases.js';
import { closeEmbeddedToken } from '../hsm/embedded-softhsm.js';
import { PlatformPki } from '../pki/PlatformPki.js';
import type { Database } from '../store/Database.js';
import { FileAuditAnchor } from './AuditAnchor.js';
import { AuditCheckpointer } from './AuditCheckpointer.js';
import { AuditLog, GENESIS_HASH, type AuditEntry } from './AuditLog.js';
import { platformSealer } from './platform-sealer.js';
import { verifyAuditLog } from './verify-audit.js';

const clock = () => new Date();

/** Checks the stored chain row by row (beside verifyAuditLog): one line, no fork, no gap. */
async function expectOneLine(db: Database, count: number): Promise<void> {
  const rows = await db.all<{ id: number; prev_hash: string; hash: string }>(
    'SELECT id, prev_hash, hash FROM audit_log ORDER BY id',
  );
  expect(rows.map((r) => r.id)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  rows.forEach((r, i) => expect(r.prev_hash, `entry ${r.id}`).toBe(i === 0 ? GENESIS_HASH : rows[i - 1]!.hash));
  expect(new Set(rows.map((r) => r.prev_hash)).size).toBe(count);
  const v = await verifyAuditLog(db);
  expect(v).toMatchObject({ valid: true, entries: count, firstProblem: null });
  expect(v.head).toEqual({ id: count, hash: rows.at(-1)!.hash });
}

/** Appends `n` entries at once from `log`, as `actor`; the appends per second. */
async function appendAtOnce(log: AuditLog, actor: string, n: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, (_, i) => log.append({ actor, action: 'test.append', target: `n:${i}`, details: { i } })),
  );
  return n / ((performance.now() - t0) / 1000);
}

const figure = (backend: Backend, what: string, perSecond: number) =>
  console.log(`audit chain (${backend}): ${what}: ${Math.round(perSecond)} appends/s`);

describeBackends('AuditLog', (backend) => {
  let t: TestDatabase;
  let log: AuditLog;
  beforeEach(async () => {
    t = await testDatabase(backend);
    log = new AuditLog(t.db, clock);
  });
  afterEach(() => t.drop());

  it('appends, lists with filters, finds by targets, and the chain verifies', async () => {
    expect(await log.head()).toBeUndefined();
    const first = await log.append({ actor: 'system', action: 'a.one', target: 'case:1', details: { n: 1 } });
    await log.append({ actor: 'user:x', action: 'a.two', target: 'case:2', siteId: 'cixi' });
    await log.append({ actor: 'user:x', action: 'a.one', target: 'record:1', details: { nested: { ok: true } } });
    expect(first).toMatchObject({ id: 1, prevHash: GENESIS_HASH });
    expect(await log.head()).toMatchObject({ id: 3 });
    const ones = await log.list({ action: 'a.one', limit: 10, offset: 0 });
    expect([ones.total, ones.entries.map((e) => e.id)]).toEqual([2, [1, 3]]);
    const paged = await log.list({ actor: 'user:x', limit: 1, offset: 1 });
    expect([paged.total, paged.entries[0]?.details]).toEqual([2, { nested: { ok: true } }]);
    expect((await log.forTargets(['record:1', 'case:1'])).map((e) => e.id)).toEqual([1, 3]);
    expect(await log.forTargets([])).toEqual([]);
    await expectOneLine(t.db, 3);
  });

  it("joins the caller's transaction: an entry of a rolled-back change is gone, the chain goes on", async () => {
    await log.append({ actor: 'system', action: 'kept' });
    await expect(
      t.db.transaction(async () => {
        await log.append({ actor: 'system', action: 'undone' });
        throw new Error('the change fails');
      }),
    ).rejects.toThrow('the change fails');
    await log.append({ actor: 'system', action: 'kept' });
    expect((await log.list({ limit: 10, offset: 0 })).entries.map((e) => e.action)).toEqual(['kept', 'kept']);
    await expectOneLine(t.db, 2);
  });

  it('awaits onAppend listeners inside the append: what they write commits or rolls back with the entry', async () => {
    const seen: number[] = [];
    const stop = log.onAppend(async (entry: AuditEntry) => {
      await t.db.run(
        `INSERT INTO pki_counters (name, value) VALUES ('audit', 1)
         ON CONFLICT (name) DO UPDATE SET value = pki_counters.value + 1`,
      );
      if (entry.action === 'refused') throw new Error('listener refuses');
      seen.push(entry.id);
    });
    await log.append({ actor: 'system', action: 'one' });
    await expect(log.append({ actor: 'system', action: 'refused' })).rejects.toThrow('listener refuses');
    await log.append({ actor: 'system', action: 'two' });
    stop();
    await log.append({ actor: 'system', action: 'three' });
    expect(seen).toEqual([1, 2]);
    expect(await t.db.get("SELECT value FROM pki_counters WHERE name = 'audit'")).toEqual({ value: 2 });
    await expectOneLine(t.db, 3);
  });

  it('many appends at once in one node form one line', async () => {
    figure(backend, '300 concurrent appends, one node', await appendAtOnce(log, 'system', 300));
    await expectOneLine(t.db, 300);
  });
});

describe('AuditLog on PostgreSQL: two nodes appending at once', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await testDatabase('postgres');
  });
  afterEach(() => t.drop());

  it('2 × 200 interleaved appends from two pools form one chain: no fork, no gap', async () => {
    const nodeA = new AuditLog(t.db, clock);
    const nodeB = new AuditLog(await t.open(), clock);
    const t0 = performance.now();
    const appends = Array.from({ length: 200 }, (_, i) => [
      nodeA.append({ actor: 'node:a', action: 'test.append', details: { i } }),
      nodeB.append({ actor: 'node:b', action: 'test.append', details: { i } }),
    ]).flat();
    const entries = await Promise.all(appends);
    const perSecond = 400 / ((performance.now() - t0) / 1000);
    figure('postgres', '2 × 200 concurrent appends, two nodes (two pools of 10)', perSecond);
    expect(new Set(entries.map((e) => e.id)).size).toBe(400);
    await expectOneLine(t.db, 400);
    // Both nodes' writes are in the one chain, interleaved.
    const actors = (await t.db.all<{ actor: string }>('SELECT actor FROM audit_log ORDER BY id')).map((r) => r.actor);
    expect(actors.filter((a) => a === 'node:a')).toHaveLength(200);
    const switches = actors.filter((a, i) => i > 0 && a !== actors[i - 1]).length;
    console.log(`audit chain (postgres): the two nodes alternate ${switches} times along the chain of 400`);
    expect(switches).toBeGreaterThan(1);
  });
});

/** A fresh database and a data directory (the platform's embedded token) per test, removed after it. */
function checkpointFixture(backend: Backend): { readonly t: TestDatabase; readonly dir: string } {
  const f = {} as { t: TestDatabase; dir: string };
  beforeEach(async () => {
    f.t = await testDatabase(backend);
    f.dir = mkdtempSync(join(tmpdir(), 'tongban-checkpoints-'));
  });
  afterEach(async () => {
    await f.t.drop();
    closeEmbeddedToken(f.dir);
    rmSync(f.dir, { recursive: true, force: true });
  });
  return f;
}

describeBackends('AuditCheckpointer', (backend) => {
  const f = checkpointFixture(backend);

  it('seals the head with the platform seal and TSA, anchors it, and the whole chain verifies', async () => {
    const { t, dir } = f;
    const pki = PlatformPki.open({ db: t.db, dataDir: dir, caKeyBits: 2048 });
    await pki.init([{ id: 'cixi', name: '慈溪市政务服务办' }]);
    const log = new AuditLog(t.db, clock);
    const sealer = platformSealer(pki);
    const anchor = new FileAuditAnchor(join(dir, 'audit-anchor'));
    const checkpointer = new AuditCheckpointer({ db: t.db, log, sealer, anchor, clock });
    await appendAtOnce(log, 'system', 20);
    expect(await checkpointer.checkpoint()).toBe(1);
    expect(await checkpointer.checkpoint()).toBeNull(); // the head is sealed already
    await appendAtOnce(log, 'system', 5);
    expect(await checkpointer.checkpoint()).toBe(2);
    const v = await verifyAuditLog(t.db, { sealer, anchor });
    expect(v).toMatchObject({
      valid: true,
      entries: 25,
      checkpoints: { count: 2, sealsVerified: 2 },
      anchor: { heads: 2 },
      firstProblem: null,
    });
  });
});

describe('AuditCheckpointer on PostgreSQL: two nodes sealing at once', () => {
  const f = checkpointFixture('postgres');

  it('never seal the same sequence number: one wins each round, the other finds the head sealed', async () => {
    const { t, dir } = f;
    const pki = PlatformPki.open({ db: t.db, dataDir: dir, caKeyBits: 2048 });
    await pki.init([{ id: 'cixi', name: '慈溪市政务服务办' }]);
    // One platform seal (the key is the platform's, whichever node signs), a database pool, an audit
    // log and an anchor file per node.
    const sealer = platformSealer(pki);
    const nodes = [t.db, await t.open()].map((db, i) => {
      const log = new AuditLog(db, clock);
      const anchor = new FileAuditAnchor(join(dir, `audit-anchor-${i}`));
      return { log, anchor, checkpointer: new AuditCheckpointer({ db, log, sealer, anchor, clock }) };
    });
    for (let round = 1; round <= 6; round++) {
      await Promise.all(nodes.map((n, i) => appendAtOnce(n.log, `node:${i}`, 3)));
      const sealed = await Promise.all(nodes.map((n) => n.checkpointer.checkpoint()));
      expect(
        sealed.filter((s) => s !== null),
        `round ${round}: ${JSON.stringify(sealed)}`,
      ).toEqual([round]);
    }
    // While both nodes append, both seal repeatedly: every checkpoint follows the one before.
    await Promise.all(
      nodes.flatMap((n, i) => [
        appendAtOnce(n.log, `node:${i}`, 30),
        ...Array.from({ length: 4 }, () => n.checkpointer.checkpoint()),
      ]),
    );
    await Promise.all(nodes.map((n) => n.checkpointer.checkpoint()));
    const checkpoints = await t.db.all<{ id: number; entry_id: number; head_hash: string }>(
      'SELECT id, entry_id, head_hash FROM audit_checkpoints ORDER BY id',
    );
    expect(checkpoints.map((c) => c.id)).toEqual(checkpoints.map((_, i) => i + 1));
    expect(checkpoints.at(-1)!.entry_id).toBe(6 * 6 + 60);
    const v = await verifyAuditLog(t.db, { sealer });
    expect(v).toMatchObject({ valid: true, entries: 96, firstProblem: null });
    expect(v.checkpoints).toMatchObject({ count: checkpoints.length, sealsVerified: checkpoints.length });
    // Each checkpoint is anchored by the node that stored it, and a loser anchored nothing.
    const anchored = (
      await Promise.all(
        nodes.map(async (n) => {
          const reading = await n.anchor.read();
          return reading.status === 'ok' ? reading.records : [];
        }),
      )
    ).flat();
    expect(
      anchored.map((r) => ({ id: r.seq, entry_id: r.entryId, head_hash: r.headHash })).sort((a, b) => a.id - b.id),
    ).toEqual(checkpoints);
    console.log(`audit checkpoints (postgres, two nodes): ${checkpoints.length} sealed, none twice`);
  });
});
