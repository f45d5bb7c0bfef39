// Seals the head of the audit log at intervals (and at shutdown): a small canonical-JSON statement
// naming the head entry, signed by the platform seal as a detached CMS with a timestamp. A sealed
// checkpoint pins every entry up to it: a later rewrite of the whole chain no longer matches.
import type { Database } from '../store/Database.js';
import { type Clock } from '../clock.js';
import { canonicalJson } from './canonical-json.js';
import type { AuditLog } from './AuditLog.js';

/** Signs and verifies checkpoint statements (the platform seal behind CMS, see platform-sealer.ts). */
export interface CheckpointSealer {
  seal(statement: Uint8Array): Promise<Uint8Array>;
  verify(statement: Uint8Array, signature: Uint8Array): Promise<{ valid: boolean; problem?: string }>;
}

export function checkpointStatement(c: { entryId: number; headHash: string; at: string }): string {
  return canonicalJson({ type: 'tongban.audit.checkpoint', entry_id: c.entryId, head_hash: c.headHash, at: c.at });
}

export class AuditCheckpointer {
  readonly #db: Database;
  readonly #log: AuditLog;
  readonly #sealer: CheckpointSealer;
  readonly #clock: Clock;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(opts: { db: Database; log: AuditLog; sealer: CheckpointSealer; clock: Clock }) {
    this.#db = opts.db;
    this.#log = opts.log;
    this.#sealer = opts.sealer;
    this.#clock = opts.clock;
  }

  start(intervalMs: number): void {
    this.#timer ??= setInterval(() => void this.checkpoint().catch(() => undefined), intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and seals the head one last time. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.checkpoint();
  }

  /** Seals the current head unless it is already sealed; returns the checkpoint id or null. Serialised. */
  checkpoint(): Promise<number | null> {
    const next = this.#running.then(() => this.#seal());
    this.#running = next.catch(() => undefined);
    return next;
  }

  async #seal(): Promise<number | null> {
    const head = this.#log.head();
    if (!head) return null;
    const last = this.#db.sql.prepare('SELECT entry_id FROM audit_checkpoints ORDER BY id DESC LIMIT 1').get() as
      { entry_id: number } | undefined;
    if (last?.entry_id === head.id) return null;
    const at = this.#clock().toISOString();
    const statement = checkpointStatement({ entryId: head.id, headHash: head.hash, at });
    const signature = await this.#sealer.seal(new TextEncoder().encode(statement));
    const result = this.#db.sql
      .prepare('INSERT INTO audit_checkpoints (entry_id, head_hash, at, statement, signature) VALUES (?, ?, ?, ?, ?)')
      .run(head.id, head.hash, at, statement, Buffer.from(signature));
    return Number(result.lastInsertRowid);
  }
}
