// Seals the head of the audit log at intervals (and at shutdown): a small canonical-JSON statement
// naming the head entry, its own sequence number and the previous checkpoint's hash, signed by the
// platform seal (detached CMS) and time-stamped by the TSA (an RFC 3161 token over the statement).
// The head is also appended to the AuditAnchor outside the database before the checkpoint is
// stored. A sealed checkpoint pins every entry up to it; the chain of checkpoints pins every
// checkpoint before it; the anchor makes a recomputed chain with re-sealed checkpoints visible.
import { createHash } from 'node:crypto';
import type { Database } from '../store/Database.js';
import { type Clock } from '../clock.js';
import { canonicalJson } from './canonical-json.js';
import { GENESIS_HASH, type AuditLog } from './AuditLog.js';
import type { AnchorRecord, AuditAnchor } from './AuditAnchor.js';

/** Signs, time-stamps and verifies checkpoint statements (the platform seal and TSA, see platform-sealer.ts). */
export interface CheckpointSealer {
  seal(statement: Uint8Array): Promise<Uint8Array>;
  verify(statement: Uint8Array, signature: Uint8Array): Promise<{ valid: boolean; problem?: string }>;
  /** An RFC 3161 token whose imprint is SHA-256 of the statement. */
  timestamp(statement: Uint8Array): Promise<Uint8Array>;
  verifyTimestamp(statement: Uint8Array, token: Uint8Array): Promise<{ valid: boolean; time?: Date; problem?: string }>;
}

export interface CheckpointFields {
  /** The checkpoint's sequence number, 1, 2, … (audit_checkpoints.id). */
  readonly seq: number;
  readonly entryId: number;
  readonly headHash: string;
  readonly at: string;
  /** checkpointHash of checkpoint seq − 1; GENESIS_HASH for the first. */
  readonly prevCheckpoint: string;
}

export function checkpointStatement(c: CheckpointFields): string {
  return canonicalJson({
    type: 'tongban.audit.checkpoint',
    version: 2,
    seq: c.seq,
    entry_id: c.entryId,
    head_hash: c.headHash,
    at: c.at,
    prev_checkpoint: c.prevCheckpoint,
  });
}

/** The statement of checkpoints sealed before anchoring (no sequence, no link). */
export function legacyCheckpointStatement(c: { entryId: number; headHash: string; at: string }): string {
  return canonicalJson({ type: 'tongban.audit.checkpoint', entry_id: c.entryId, head_hash: c.headHash, at: c.at });
}

export const checkpointHash = (statement: string) => createHash('sha256').update(statement).digest('hex');

/** The lock key of the checkpoints on PostgreSQL (an advisory lock, as the chain's). */
const LOCK = 'tongban:audit_checkpoints';
/** Rounds of sealing lost to other nodes before giving up until the next interval. */
const MAX_ROUNDS = 3;

interface LastCheckpoint {
  id: number;
  entry_id: number;
  statement: string;
}

export class AuditCheckpointer {
  readonly #db: Database;
  readonly #log: AuditLog;
  readonly #sealer: CheckpointSealer;
  readonly #anchor: AuditAnchor;
  readonly #clock: Clock;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(opts: { db: Database; log: AuditLog; sealer: CheckpointSealer; anchor: AuditAnchor; clock: Clock }) {
    this.#db = opts.db;
    this.#log = opts.log;
    this.#sealer = opts.sealer;
    this.#anchor = opts.anchor;
    this.#clock = opts.clock;
  }

  /** Catches up with a head the anchor received but the database did not (a crash between the two), then seals periodically. */
  async start(intervalMs: number): Promise<void> {
    await this.#serialised(() => this.#recover());
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
    return this.#serialised(() => this.#seal());
  }

  #serialised<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#running.then(task);
    this.#running = next.catch(() => undefined);
    return next;
  }

  #last(): Promise<LastCheckpoint | undefined> {
    return this.#db.get<LastCheckpoint>(
      'SELECT id, entry_id, statement FROM audit_checkpoints ORDER BY id DESC LIMIT 1',
    );
  }

  /**
   * Another node (PostgreSQL cluster) may seal the same head at the same moment: the one that stores
   * first wins, and the other, finding the sequence number taken, starts again from the winner's seal
   * (usually to find the head sealed already). A few rounds at most, each after a newer checkpoint.
   */
  async #seal(): Promise<number | null> {
    for (let round = 0; ; round++) {
      const head = await this.#log.head();
      if (!head) return null;
      const last = await this.#last();
      if (last?.entry_id === head.id) return null;
      const fields: CheckpointFields = {
        seq: (last?.id ?? 0) + 1,
        entryId: head.id,
        headHash: head.hash,
        at: this.#clock().toISOString(),
        prevCheckpoint: last ? checkpointHash(last.statement) : GENESIS_HASH,
      };
      const statement = checkpointStatement(fields);
      const { signature, token } = await this.#sign(statement);
      const stored = await this.#store(fields, statement, signature, token, 'anchor');
      if (stored !== null || round >= MAX_ROUNDS) return stored;
    }
  }

  async #sign(statement: string): Promise<{ signature: Uint8Array; token: Uint8Array }> {
    const bytes = new TextEncoder().encode(statement);
    const [signature, token] = await Promise.all([this.#sealer.seal(bytes), this.#sealer.timestamp(bytes)]);
    return { signature, token };
  }

  /**
   * Stores the checkpoint unless its sequence number was taken meanwhile (null then): the check, the
   * anchor and the insert under the checkpoints' lock — PostgreSQL's advisory lock, which every node's
   * checkpointer takes; SQLite's write lock — so two nodes never seal the same number, and a loser
   * never anchors a head the database does not hold. Signing stays outside: it may take a while (an
   * external TSA) and must not hold the lock or, on SQLite, the one connection. The anchor is written
   * first, so a checkpoint the database holds is always anchored (`anchor`: not when recovering one
   * the anchor holds already).
   */
  #store(
    f: CheckpointFields,
    statement: string,
    signature: Uint8Array,
    token: Uint8Array,
    anchor: 'anchor' | 'anchored',
  ): Promise<number | null> {
    const db = this.#db;
    return db.transaction(
      async () => {
        if (db.dialect === 'postgres') await db.get('SELECT pg_advisory_xact_lock(hashtext(?)::bigint)', [LOCK]);
        if (((await this.#last())?.id ?? 0) !== f.seq - 1) return null;
        if (anchor === 'anchor') await this.#anchor.append({ ...f, checkpointHash: checkpointHash(statement) });
        await db.run(
          `INSERT INTO audit_checkpoints (id, entry_id, head_hash, at, statement, signature, timestamp_token)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [f.seq, f.entryId, f.headHash, f.at, statement, Buffer.from(signature), Buffer.from(token)],
        );
        return f.seq;
      },
      db.dialect === 'sqlite' ? 'immediate' : 'deferred',
    );
  }

  /**
   * The anchor's last head is one the database lacks only when the server stopped between the two
   * writes; re-seals that very statement when it follows the database's last checkpoint and still
   * names the log's entry. Anything else is left for `audit verify` to report.
   */
  async #recover(): Promise<void> {
    const reading = await this.#anchor.read();
    if (reading.status !== 'ok') return;
    const record: AnchorRecord | undefined = reading.records.at(-1);
    const last = await this.#last();
    if (!record || record.seq !== (last?.id ?? 0) + 1) return;
    const fields: CheckpointFields = {
      ...record,
      prevCheckpoint: last ? checkpointHash(last.statement) : GENESIS_HASH,
    };
    const statement = checkpointStatement(fields);
    const entry = await this.#db.get<{ hash: string }>('SELECT hash FROM audit_log WHERE id = ?', [record.entryId]);
    if (checkpointHash(statement) !== record.checkpointHash || entry?.hash !== record.headHash) return;
    const { signature, token } = await this.#sign(statement);
    await this.#store(fields, statement, signature, token, 'anchored');
  }
}
