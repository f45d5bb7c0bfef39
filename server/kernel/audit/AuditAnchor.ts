// Where checkpoint heads are written outside the database, so that whoever holds the data directory
// (and the master key) cannot recompute the chain and its checkpoints unnoticed: verification
// compares the database's checkpoints with the anchor. One implementation today, an append-only
// file on another path; an S3 Object Lock bucket can stand behind the same interface.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';

/** What the anchor keeps of a checkpoint: enough to pin the head, nothing of the entries' content. */
export interface AnchorRecord {
  /** The checkpoint's sequence number (audit_checkpoints.id). */
  readonly seq: number;
  readonly entryId: number;
  readonly headHash: string;
  readonly at: string;
  /** SHA-256 of the checkpoint statement (which names the previous checkpoint's hash). */
  readonly checkpointHash: string;
}

export type AnchorReading =
  | { readonly status: 'missing' }
  | { readonly status: 'unreadable'; readonly problem: string }
  | { readonly status: 'ok'; readonly records: readonly AnchorRecord[] };

export interface AuditAnchor {
  /** Where it is, for messages (a path, a bucket URL). */
  readonly location: string;
  /** Durably records one checkpoint head; throws when it cannot (the checkpoint is then not stored). */
  append(record: AnchorRecord): Promise<void>;
  read(): Promise<AnchorReading>;
}

const lineSchema = z
  .object({
    seq: z.number().int().positive(),
    entry_id: z.number().int().positive(),
    head_hash: z.string().regex(/^[0-9a-f]{64}$/),
    at: z.string(),
    checkpoint_hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

/** One JSON line per checkpoint, appended (O_APPEND, 0600) and fsynced; never rewritten by the server. */
export class FileAuditAnchor implements AuditAnchor {
  constructor(readonly location: string) {}

  async append(r: AnchorRecord): Promise<void> {
    mkdirSync(dirname(this.location), { recursive: true, mode: 0o700 });
    const line = canonicalJson({
      seq: r.seq,
      entry_id: r.entryId,
      head_hash: r.headHash,
      at: r.at,
      checkpoint_hash: r.checkpointHash,
    });
    const fd = openSync(this.location, 'a', 0o600);
    try {
      writeSync(fd, `${line}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  async read(): Promise<AnchorReading> {
    let text: string;
    try {
      text = readFileSync(this.location, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
      return { status: 'unreadable', problem: (err as Error).message };
    }
    const records: AnchorRecord[] = [];
    const lines = text.split('\n');
    // A torn last line (no newline) is what a truncation leaves: unreadable, not skipped.
    if (lines.pop() !== '') return { status: 'unreadable', problem: 'the last line is incomplete (truncated?)' };
    for (const [i, line] of lines.entries()) {
      let parsed;
      try {
        parsed = lineSchema.safeParse(JSON.parse(line));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) return { status: 'unreadable', problem: `line ${i + 1} is not a checkpoint head` };
      const d = parsed.data;
      records.push({
        seq: d.seq,
        entryId: d.entry_id,
        headHash: d.head_hash,
        at: d.at,
        checkpointHash: d.checkpoint_hash,
      });
    }
    return { status: 'ok', records };
  }
}
