// Recordings in object storage (issue 14 §3, cluster mode). The recorder writes to its node's disk —
// ffmpeg needs a local file — and every file it finishes (a chained segment, entry or frame; the
// manifest and its seal at the end; the playback composite when rendered) is copied at once into the
// blob store (S3: multipart upload of a stream) and listed in `recording_files`. The bucket is then
// the recording's home: a node that lost its disk, or another node asked to play or verify it,
// brings the folder back from there, every object checked against its SHA-256 on the way (and each
// chained segment against the hash its chain holds). A node that dies loses at most its open segment.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../../kernel/store/BlobStore.js';
import type { Clock } from '../../kernel/clock.js';
import type { Database } from '../../kernel/store/Database.js';

export interface StoredFile {
  /** Relative to the recording's folder. */
  readonly name: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** What a session's copy to the bucket has done and has still to do (for progress). */
export interface ArchiveProgress {
  readonly files: number;
  readonly bytes: number;
  readonly pending: number;
}

interface Row {
  name: string;
  sha256: string;
  bytes: number;
}

export class RecordingArchive {
  readonly #db: Database;
  readonly #blobs: BlobStore;
  readonly #clock: Clock;
  readonly #warn: (message: string) => void;
  /** Copies run one after another per session, in the order the files were finished. */
  readonly #queues = new Map<string, { tail: Promise<void>; pending: number }>();

  constructor(options: { db: Database; blobs: BlobStore; clock: Clock; warn: (message: string) => void }) {
    this.#db = options.db;
    this.#blobs = options.blobs;
    this.#clock = options.clock;
    this.#warn = options.warn;
  }

  /**
   * Queues the copy of `name` (relative to `dir`) into the bucket. `expected` is the SHA-256 the
   * recording chain holds for it: a file that no longer matches is reported, never stored under its name.
   */
  enqueue(sessionId: string, dir: string, name: string, expected?: string): Promise<void> {
    const queue = this.#queues.get(sessionId) ?? { tail: Promise.resolve(), pending: 0 };
    this.#queues.set(sessionId, queue);
    queue.pending += 1;
    const run = queue.tail.then(() => this.#store(sessionId, dir, name, expected));
    queue.tail = run
      .catch((err: unknown) =>
        this.#warn(`recording ${sessionId}: ${name} not copied to the blob store: ${(err as Error).message}`),
      )
      .finally(() => {
        queue.pending -= 1;
        if (queue.pending === 0 && this.#queues.get(sessionId) === queue) this.#queues.delete(sessionId);
      });
    return run;
  }

  /** Resolves when every copy queued for the session so far has finished (or failed and been reported). */
  async settled(sessionId: string): Promise<void> {
    await this.#queues.get(sessionId)?.tail;
  }

  async progress(sessionId: string): Promise<ArchiveProgress> {
    const row = await this.#db.get<{ files: number; bytes: number | null }>(
      'SELECT COUNT(*) AS files, SUM(bytes) AS bytes FROM recording_files WHERE session_id = ?',
      [sessionId],
    );
    return {
      files: Number(row?.files ?? 0),
      bytes: Number(row?.bytes ?? 0),
      pending: this.#queues.get(sessionId)?.pending ?? 0,
    };
  }

  async files(sessionId: string): Promise<StoredFile[]> {
    return this.#db.all<Row>('SELECT name, sha256, bytes FROM recording_files WHERE session_id = ? ORDER BY name', [
      sessionId,
    ]);
  }

  /**
   * Brings back into `dir` every stored file that is missing there or of another size (another node
   * recorded the session, or this node's copy is gone); `only` narrows it to some names. A file the
   * bucket cannot give back intact (its bytes no longer hash to its name) stays missing and is named
   * in `failures`; the others are fetched all the same.
   */
  async restore(
    sessionId: string,
    dir: string,
    only: (name: string) => boolean = () => true,
  ): Promise<{ fetched: number; failures: string[] }> {
    // Files still on their way to the bucket are here anyway; waiting keeps a restore from racing a copy.
    await this.settled(sessionId);
    let fetched = 0;
    const failures: string[] = [];
    for (const file of await this.files(sessionId)) {
      if (!only(file.name)) continue;
      const path = inside(dir, file.name);
      const local = await stat(path).catch(() => undefined);
      if (local?.isFile() && local.size === file.bytes) continue;
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const tmp = `${path}.${randomBytes(6).toString('hex')}.part`;
      try {
        // The blob store's stream fails when the object's bytes do not hash to its name.
        await pipeline(this.#blobs.stream(file.sha256), createWriteStream(tmp, { mode: 0o600 }));
        await rename(tmp, path);
        fetched += 1;
      } catch (err) {
        await rm(tmp, { force: true });
        failures.push(`${file.name}: ${(err as Error).message}`);
      }
    }
    return { fetched, failures };
  }

  /** Locks every stored object of the recording until `until` where the store can (S3 Object Lock). */
  async retain(sessionId: string, until: Date): Promise<number> {
    let locked = 0;
    for (const file of await this.files(sessionId)) if (await this.#blobs.retain(file.sha256, until)) locked += 1;
    return locked;
  }

  /** Removes the recording's objects (end of retention); the rows go with them. Returns the objects removed. */
  async destroy(sessionId: string): Promise<number> {
    await this.settled(sessionId);
    let removed = 0;
    for (const file of await this.files(sessionId)) {
      const shared = await this.#db.get<{ n: number }>(
        'SELECT COUNT(*) AS n FROM recording_files WHERE sha256 = ? AND session_id <> ?',
        [file.sha256, sessionId],
      );
      if (Number(shared?.n ?? 0) === 0 && (await this.#blobs.destroy(file.sha256))) removed += 1;
    }
    await this.#db.run('DELETE FROM recording_files WHERE session_id = ?', [sessionId]);
    return removed;
  }

  async #store(sessionId: string, dir: string, name: string, expected: string | undefined): Promise<void> {
    // A chained file keeps its first copy; a derived one (the composite, rendered again) is replaced.
    const replace = name.startsWith('derived/');
    if (
      !replace &&
      (await this.#db.get('SELECT 1 AS x FROM recording_files WHERE session_id = ? AND name = ?', [sessionId, name]))
    )
      return;
    const path = inside(dir, name);
    const { size } = await stat(path);
    const sha256 = await this.#blobs.put(createReadStream(path), { maxBytes: size });
    if (expected && sha256 !== expected) {
      await this.#blobs.destroy(sha256).catch(() => false);
      throw new Error(`its bytes (SHA-256 ${sha256}) are not the ones the recording chain holds (${expected})`);
    }
    await this.#db.run(
      `INSERT INTO recording_files (session_id, name, sha256, bytes, stored_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (session_id, name) DO ${replace ? 'UPDATE SET sha256 = excluded.sha256, bytes = excluded.bytes, stored_at = excluded.stored_at' : 'NOTHING'}`,
      [sessionId, name, sha256, size, this.#clock().toISOString()],
    );
  }
}

/** `name` under `dir`, refusing names that would leave it (a row is data, not trusted as a path). */
function inside(dir: string, name: string): string {
  if (name.startsWith('/') || name.split(/[\\/]/).includes('..')) throw new Error(`not a recording file name: ${name}`);
  return join(dir, name);
}
