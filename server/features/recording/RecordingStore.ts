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

const INSERT_SEGMENT = `INSERT INTO recording_segments (session_id, idx, participant_id, track, file, bytes, sha256,
  start_ms, end_ms, chain_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export class RecordingStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Runs fn in one immediate transaction: a read of the chain's head and the link written after it. */
  atomically<T>(fn: () => Promise<T>): Promise<T> {
    return this.#db.transaction(fn, 'immediate');
  }

  async get(sessionId: string): Promise<RecordingRow | undefined> {
    const r = await this.#db.get<Record<string, unknown>>('SELECT * FROM recordings WHERE session_id = ?', [sessionId]);
    return r && toRecording(r);
  }

  async open(): Promise<RecordingRow[]> {
    const rows = await this.#db.all<Record<string, unknown>>(`SELECT * FROM recordings WHERE status = 'recording'`);
    return rows.map(toRecording);
  }

  /**
   * The session's recording, created now unless it exists: of two creators at once (a second
   * producer, another node) the first insert wins and both get its row.
   */
  async create(
    sessionId: string,
    dir: string,
    startedAt: string,
    genesis: string,
  ): Promise<{ row: RecordingRow; created: boolean }> {
    const r = await this.#db.run(
      `INSERT INTO recordings (session_id, dir, status, started_at, genesis, head) VALUES (?, ?, 'recording', ?, ?, ?)
       ON CONFLICT (session_id) DO NOTHING`,
      [sessionId, dir, startedAt, genesis, genesis],
    );
    return { row: (await this.get(sessionId))!, created: r.changes === 1 };
  }

  /**
   * Appends one chained segment and moves the head, atomically; only while the recording is open: a
   * link after the seal would be in the chain but not in the sealed manifest (seen once, when a tap's
   * last segment closed after finish() had sealed). A compare-and-set on the head the link was chained
   * onto (`previousHead`, at `s.index`): a writer that read an older head cannot fork the chain.
   */
  async append(sessionId: string, previousHead: string, s: SegmentRow): Promise<void> {
    await this.#db.transaction(async () => {
      const moved = await this.#db.run(
        `UPDATE recordings SET head = ?, segment_count = ?
         WHERE session_id = ? AND status = 'recording' AND head = ? AND segment_count = ?`,
        [s.chainHash, s.index + 1, sessionId, previousHead, s.index],
      );
      if (moved.changes !== 1) {
        const row = await this.get(sessionId);
        if (row?.status !== 'recording') throw new ConflictError('the recording is sealed', 'recording_not_running');
        throw new ConflictError(`the chain moved on past link ${s.index}`);
      }
      await this.#db.run(INSERT_SEGMENT, [
        sessionId,
        s.index,
        s.participant,
        s.track,
        s.file,
        s.bytes,
        s.sha256,
        s.startMs,
        s.endMs,
        s.chainHash,
      ]);
    }, 'immediate');
  }

  async hasFile(sessionId: string, file: string): Promise<boolean> {
    return !!(await this.#db.get('SELECT 1 AS x FROM recording_segments WHERE session_id = ? AND file = ?', [
      sessionId,
      file,
    ]));
  }

  async segments(sessionId: string): Promise<SegmentRow[]> {
    const rows = await this.#db.all<Record<string, unknown>>(
      'SELECT * FROM recording_segments WHERE session_id = ? ORDER BY idx',
      [sessionId],
    );
    return rows.map(segmentOf);
  }

  /** One chained segment by its index (the whole list grows with the session: a listener per segment reads one). */
  async segment(sessionId: string, index: number): Promise<SegmentRow | undefined> {
    const row = await this.#db.get<Record<string, unknown>>(
      'SELECT * FROM recording_segments WHERE session_id = ? AND idx = ?',
      [sessionId, index],
    );
    return row && segmentOf(row);
  }

  async addParticipant(sessionId: string, p: ParticipantRow): Promise<void> {
    await this.#db.run(
      `INSERT INTO recording_participants (session_id, participant_id, display_name, role, first_seen_ms)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [sessionId, p.id, p.displayName, p.role, p.firstSeenMs],
    );
  }

  async participants(sessionId: string): Promise<ParticipantRow[]> {
    const rows = await this.#db.all<Record<string, unknown>>(
      'SELECT * FROM recording_participants WHERE session_id = ? ORDER BY first_seen_ms, participant_id',
      [sessionId],
    );
    return rows.map((r) => ({
      id: String(r.participant_id),
      displayName: String(r.display_name),
      role: String(r.role),
      firstSeenMs: Number(r.first_seen_ms),
    }));
  }

  async addCheckpoint(sessionId: string, c: Checkpoint, takenAt: string): Promise<void> {
    await this.#db.run(
      'INSERT INTO recording_checkpoints (session_id, head, segment_count, offset_ms, taken_at) VALUES (?, ?, ?, ?, ?)',
      [sessionId, c.head, c.segmentCount, c.offsetMs, takenAt],
    );
  }

  async finish(
    sessionId: string,
    status: 'sealed' | 'interrupted',
    endedAt: string,
    manifestSha256: string,
    sealPresent: boolean,
  ): Promise<void> {
    const done = await this.#db.run(
      `UPDATE recordings SET status = ?, ended_at = ?, manifest_sha256 = ?, seal_present = ?
       WHERE session_id = ? AND status = 'recording'`,
      [status, endedAt, manifestSha256, sealPresent ? 1 : 0, sessionId],
    );
    // Sealed once: a second sealer (another node) must not replace the manifest the row names.
    if (done.changes !== 1) throw new ConflictError('the recording is sealed already', 'recording_not_running');
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

function segmentOf(r: Record<string, unknown>): SegmentRow {
  return {
    index: Number(r.idx),
    participant: String(r.participant_id),
    track: String(r.track),
    file: String(r.file),
    bytes: Number(r.bytes),
    sha256: String(r.sha256),
    startMs: Number(r.start_ms),
    endMs: Number(r.end_ms),
    chainHash: String(r.chain_hash),
  };
}
