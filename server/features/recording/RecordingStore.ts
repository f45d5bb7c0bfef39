// SQLite index of recordings (migration 010): what the recorder appended, in chain order.
import { ConflictError } from '../../kernel/errors.js';
import type { Database } from '../../kernel/store/Database.js';

export type RecordingStatus = 'recording' | 'sealed' | 'interrupted';

export interface RecordingRow {
  readonly sessionId: string;
  /** Absolute folder of the recording's files. */
  readonly dir: string;
  readonly status: RecordingStatus;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly genesis: string;
  readonly head: string;
  readonly segmentCount: number;
  readonly manifestSha256: string | null;
  readonly sealPresent: boolean;
}

export interface SegmentRow {
  readonly index: number;
  readonly participant: string;
  readonly track: string;
  /** Relative to the recording's folder. */
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly chainHash: string;
}

export interface ParticipantRow {
  readonly id: string;
  readonly displayName: string;
  readonly role: string;
  readonly firstSeenMs: number;
}

export interface Checkpoint {
  readonly head: string;
  readonly segmentCount: number;
  readonly offsetMs: number;
}

export class RecordingStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  get(sessionId: string): RecordingRow | undefined {
    const r = this.#db.sql.prepare('SELECT * FROM recordings WHERE session_id = ?').get(sessionId) as
      Record<string, unknown> | undefined;
    return r && toRecording(r);
  }

  open(): RecordingRow[] {
    const rows = this.#db.sql.prepare(`SELECT * FROM recordings WHERE status = 'recording'`).all() as Record<
      string,
      unknown
    >[];
    return rows.map(toRecording);
  }

  create(sessionId: string, dir: string, startedAt: string, genesis: string): RecordingRow {
    this.#db.sql
      .prepare(
        `INSERT INTO recordings (session_id, dir, status, started_at, genesis, head) VALUES (?, ?, 'recording', ?, ?, ?)`,
      )
      .run(sessionId, dir, startedAt, genesis, genesis);
    return this.get(sessionId)!;
  }

  /**
   * Appends one chained segment and moves the head, atomically; only while the recording is open: a
   * link after the seal would be in the chain but not in the sealed manifest (seen once, when a tap's
   * last segment closed after finish() had sealed).
   */
  append(sessionId: string, s: SegmentRow): void {
    this.#db.transactionSync(() => {
      const moved = this.#db.sql
        .prepare(`UPDATE recordings SET head = ?, segment_count = ? WHERE session_id = ? AND status = 'recording'`)
        .run(s.chainHash, s.index + 1, sessionId);
      if (moved.changes !== 1) throw new ConflictError('the recording is sealed', 'recording_not_running');
      this.#db.sql
        .prepare(
          `INSERT INTO recording_segments (session_id, idx, participant_id, track, file, bytes, sha256, start_ms, end_ms, chain_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(sessionId, s.index, s.participant, s.track, s.file, s.bytes, s.sha256, s.startMs, s.endMs, s.chainHash);
    });
  }

  hasFile(sessionId: string, file: string): boolean {
    return !!this.#db.sql
      .prepare('SELECT 1 FROM recording_segments WHERE session_id = ? AND file = ?')
      .get(sessionId, file);
  }

  segments(sessionId: string): SegmentRow[] {
    const rows = this.#db.sql
      .prepare('SELECT * FROM recording_segments WHERE session_id = ? ORDER BY idx')
      .all(sessionId) as Record<string, unknown>[];
    return rows.map((r) => ({
      index: Number(r.idx),
      participant: String(r.participant_id),
      track: String(r.track),
      file: String(r.file),
      bytes: Number(r.bytes),
      sha256: String(r.sha256),
      startMs: Number(r.start_ms),
      endMs: Number(r.end_ms),
      chainHash: String(r.chain_hash),
    }));
  }

  addParticipant(sessionId: string, p: ParticipantRow): void {
    this.#db.sql
      .prepare(
        `INSERT OR IGNORE INTO recording_participants (session_id, participant_id, display_name, role, first_seen_ms) VALUES (?, ?, ?, ?, ?)`,
      )
      .run(sessionId, p.id, p.displayName, p.role, p.firstSeenMs);
  }

  participants(sessionId: string): ParticipantRow[] {
    const rows = this.#db.sql
      .prepare('SELECT * FROM recording_participants WHERE session_id = ? ORDER BY first_seen_ms, participant_id')
      .all(sessionId) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: String(r.participant_id),
      displayName: String(r.display_name),
      role: String(r.role),
      firstSeenMs: Number(r.first_seen_ms),
    }));
  }

  addCheckpoint(sessionId: string, c: Checkpoint, takenAt: string): void {
    this.#db.sql
      .prepare(
        'INSERT INTO recording_checkpoints (session_id, head, segment_count, offset_ms, taken_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(sessionId, c.head, c.segmentCount, c.offsetMs, takenAt);
  }

  finish(
    sessionId: string,
    status: 'sealed' | 'interrupted',
    endedAt: string,
    manifestSha256: string,
    sealPresent: boolean,
  ): void {
    this.#db.sql
      .prepare(
        'UPDATE recordings SET status = ?, ended_at = ?, manifest_sha256 = ?, seal_present = ? WHERE session_id = ?',
      )
      .run(status, endedAt, manifestSha256, sealPresent ? 1 : 0, sessionId);
  }
}

function toRecording(r: Record<string, unknown>): RecordingRow {
  return {
    sessionId: String(r.session_id),
    dir: String(r.dir),
    status: r.status as RecordingStatus,
    startedAt: String(r.started_at),
    endedAt: r.ended_at == null ? null : String(r.ended_at),
    genesis: String(r.genesis),
    head: String(r.head),
    segmentCount: Number(r.segment_count),
    manifestSha256: r.manifest_sha256 == null ? null : String(r.manifest_sha256),
    sealPresent: Number(r.seal_present) === 1,
  };
}
