// The recording index on a real SQLite file: a link can only join an open recording's chain.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/errors.js';
import { Database } from '../../kernel/store/Database.js';
import { RecordingStore, type SegmentRow } from './RecordingStore.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function segment(index: number): SegmentRow {
  const hex = (n: number) => n.toString(16).padStart(64, '0');
  return {
    index,
    participant: 'clerk.cixi',
    track: 'audio+video',
    file: `clerk.cixi/r0001-${index}.webm`,
    bytes: 1000 + index,
    sha256: hex(index + 1),
    startMs: index * 4000,
    endMs: (index + 1) * 4000,
    chainHash: hex(index + 100),
  };
}

describe('RecordingStore.append', () => {
  it('chains while the recording is open and refuses a link after the seal, leaving the chain as sealed', () =>
    withStore(async (store, dir) => {
      await store.create('sess-1', join(dir, 'rec'), '2026-11-30T08:00:00.000Z', '0'.repeat(64));
      await store.append('sess-1', '0'.repeat(64), segment(0));
      await store.append('sess-1', segment(0).chainHash, segment(1));
      await store.finish('sess-1', 'sealed', '2026-11-30T08:00:09.000Z', 'a'.repeat(64), true);

      let refused: unknown;
      try {
        await store.append('sess-1', segment(1).chainHash, segment(2));
      } catch (err) {
        refused = err;
      }
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).code).toBe('recording_not_running');
      const row = (await store.get('sess-1'))!;
      expect(row.segmentCount).toBe(2);
      expect(row.head).toBe(segment(1).chainHash);
      expect((await store.segments('sess-1')).map((s) => s.index)).toEqual([0, 1]);
    }));

  it('a link chained onto a head that moved on is refused: two writers cannot fork the chain', () =>
    withStore(async (store, dir) => {
      await store.create('sess-2', join(dir, 'rec'), '2026-11-30T08:00:00.000Z', '0'.repeat(64));
      const first = await store.create('sess-2', join(dir, 'other'), '2026-11-30T09:00:00.000Z', '0'.repeat(64));
      expect(first).toMatchObject({ created: false, row: { startedAt: '2026-11-30T08:00:00.000Z' } });
      // Both writers read the genesis head; the second one's link (same index) must not land.
      const results = await Promise.allSettled([
        store.append('sess-2', '0'.repeat(64), segment(0)),
        store.append('sess-2', '0'.repeat(64), { ...segment(0), file: 'other.webm', chainHash: 'f'.repeat(64) }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
      expect(((results[1] as PromiseRejectedResult).reason as AppError).status).toBe(409);
      expect((await store.get('sess-2'))!).toMatchObject({ segmentCount: 1, head: segment(0).chainHash });
      expect((await store.segments('sess-2')).map((s) => s.file)).toEqual([segment(0).file]);
    }));
});

/** A store on a fresh SQLite file in its own folder, closed afterwards. */
async function withStore(fn: (store: RecordingStore, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-recstore-'));
  dirs.push(dir);
  const db = Database.open(join(dir, 'tongban.db'));
  try {
    await fn(new RecordingStore(db), dir);
  } finally {
    await db.close();
  }
}
