// Audit log appends per second (AuditLog.append: read the head, canonical JSON, SHA-256, insert, one
// transaction each) against the peer: a plain better-sqlite3 insert of the same row into a table of
// the same shape and indexes, in the same database (same WAL/synchronous settings), one autocommit
// each. Alternating rounds so both see the same disk and cache conditions.
import { join } from 'node:path';
import { AuditLog } from '../server/kernel/audit/AuditLog.js';
import { Database } from '../server/kernel/store/Database.js';
import { median, row, type BenchRow } from './support/results.js';
import { tempDir } from './support/temp.js';

const event = {
  actor: 'user:clerk.cixi',
  action: 'case.accepted',
  target: 'case:7f1c2a9e-5b1d-4c53-9d1e-0a8b3c4d5e6f',
  siteId: 'cixi',
  details: { from: 'queued', to: 'in_session', session: 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e' },
};

export async function benchAudit(o: { rounds: number; perRound: number }): Promise<{ rows: BenchRow[]; raw: unknown }> {
  const dir = tempDir('bench-audit-');
  const db = Database.open(join(dir.path, 'tongban.sqlite'));
  try {
    const log = new AuditLog(db, () => new Date());
    db.sql
      .exec(`CREATE TABLE plain_log (id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
      target TEXT, site_id TEXT, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE);
      CREATE INDEX plain_actor ON plain_log(actor); CREATE INDEX plain_action ON plain_log(action);
      CREATE INDEX plain_target ON plain_log(target); CREATE INDEX plain_at ON plain_log(at);`);
    const details = JSON.stringify(event.details);
    let n = 0;
    // Both through the same asynchronous Database API the server uses, each statement awaited.
    const plain = () =>
      db.run(
        'INSERT INTO plain_log (at, actor, action, target, site_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [new Date().toISOString(), event.actor, event.action, event.target, event.siteId, details, 'p', `h${n++}`],
      );
    const chained = () => log.append(event);
    const rate = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      for (let i = 0; i < o.perRound; i++) await fn();
      return o.perRound / ((performance.now() - t) / 1000);
    };
    const ours: number[] = [];
    const peer: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      ours.push(await rate(chained));
      peer.push(await rate(plain));
    }
    return {
      rows: [
        row('Audit log', 'appends per second (hash-chained, 1 txn each)', median(ours), '/s', {
          peer: { name: 'plain SQLite insert of the same row (same DB)', value: median(peer), measured: true },
          note: `${o.rounds} rounds × ${o.perRound}; WAL`,
        }),
      ],
      raw: { ours, peer },
    };
  } finally {
    await db.close();
    dir.remove();
  }
}
