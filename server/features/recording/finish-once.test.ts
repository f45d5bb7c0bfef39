// A session's end is announced more than once at the same moment (its case reaching a final state
// and the session ending both end the room): the recording is sealed once. Two concurrent seals
// each wrote a manifest; the second, refused by the store, had replaced the first one's file, and
// the recording no longer verified ("manifest.json differs from the one written at sealing").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { Database } from '../../kernel/store/Database.js';
import { genesis } from './hash-chain.js';
import { Recorder } from './Recorder.js';
import { RecordingStore } from './RecordingStore.js';
import { verifyRecording } from './verification.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tongban-finish-once-'));
const db = Database.open(join(dataDir, 'tongban.sqlite'));

afterAll(async () => {
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('two ends of the same session at once seal it once; the recording verifies', async () => {
  const store = new RecordingStore(db);
  const { recorder } = await Recorder.create({ store, dataDir, segmentSeconds: 2 });
  const sessionId = 'sess-ended-twice';
  await store.create(sessionId, join(dataDir, 'recordings', sessionId), new Date().toISOString(), genesis(sessionId));
  const [first, second, third] = await Promise.all([
    recorder.finish(sessionId),
    recorder.finish(sessionId),
    recorder.finish(sessionId),
  ]);
  expect(first).not.toBeNull();
  expect(second).toBe(first);
  expect(third).toBe(first);
  // Later ends find it sealed: nothing to do.
  expect(await recorder.finish(sessionId)).toBeNull();
  const verification = await verifyRecording({ dataDir, sessionId, store });
  expect(verification).toMatchObject({ status: 'sealed', valid: true, problems: [] });
  await recorder.close();
});
