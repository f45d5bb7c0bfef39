// Crash recovery and verification failure modes on real ffmpeg-made WebM segments laid out as the
// recorder lays them out: a recording left open by a crashed process is sealed as 'interrupted'
// with the segments ffmpeg had closed (the open one is lost), and every kind of tampering is named.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../kernel/store/Database.js';
import { safeName } from './files.js';
import { genesis } from './hash-chain.js';
import { manifestName, type Manifest } from './manifest.js';
import { Recorder } from './Recorder.js';
import { RecordingStore } from './RecordingStore.js';
import { verifyRecording } from './verification.js';

const sessionId = 'sess-crashed';
let dataDir: string;
let db: Database;
let store: RecordingStore;
let recDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tongban-recovery-'));
  db = Database.open(join(dataDir, 'tongban.sqlite'));
  store = new RecordingStore(db);
  recDir = join(dataDir, 'recordings', sessionId);
  const participantDir = join(recDir, safeName('user:clerk.cixi'));
  mkdirSync(participantDir, { recursive: true });
  // What a crashed process leaves: its row, the run's SDP, closed segments listed in the CSV, and an
  // unfinished segment ffmpeg never listed.
  await store.create(sessionId, recDir, '2026-11-27T09:00:00.000Z', genesis(sessionId));
  await store.addParticipant(sessionId, {
    id: 'user:clerk.cixi',
    displayName: '陈晓燕',
    role: 'clerk',
    firstSeenMs: 0,
  });
  writeFileSync(join(participantDir, 'r0001.sdp'), 'v=0\r\nm=audio 50000 RTP/AVP 100\r\nm=video 50002 RTP/AVP 101\r\n');
  execFileSync('ffmpeg', [
    ...[
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=15',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440',
    ],
    ...[
      '-t',
      '9',
      '-c:v',
      'libvpx',
      '-g',
      '15',
      '-b:v',
      '200k',
      '-c:a',
      'libopus',
      '-f',
      'segment',
      '-segment_time',
      '3',
    ],
    ...[
      '-segment_format',
      'webm',
      '-reset_timestamps',
      '1',
      '-segment_list',
      join(participantDir, 'r0001.csv'),
      '-segment_list_type',
      'csv',
    ],
    join(participantDir, 'r0001-%05d.webm'),
  ]);
  writeFileSync(join(participantDir, 'r0001-99999.webm'), Buffer.alloc(1000, 7));
});

afterAll(async () => {
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a recording left open by a crash', () => {
  it('is sealed as interrupted at start-up with the segments that had closed', async () => {
    const { recorder, recovered } = await Recorder.create({ store, dataDir });
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ sessionId, status: 'interrupted', sealed: false });
    expect(recovered[0]!.segmentCount).toBeGreaterThanOrEqual(3);
    const manifest = JSON.parse(readFileSync(join(recDir, manifestName), 'utf8')) as Manifest;
    expect(manifest.status).toBe('interrupted');
    expect(manifest.segments.every((s) => s.participant === 'user:clerk.cixi' && s.track === 'audio+video')).toBe(true);
    expect(manifest.segments.map((s) => s.file)).not.toContain(`${safeName('user:clerk.cixi')}/r0001-99999.webm`);
    expect((await recorder.state(sessionId)).state).toBe('interrupted');
    const v = await verifyRecording({ dataDir, sessionId, store });
    expect(v).toMatchObject({
      valid: true,
      status: 'interrupted',
      firstBadSegment: null,
      seal: { state: 'not_checked' },
    });
    // A second start finds nothing left open.
    expect((await Recorder.create({ store, dataDir })).recovered).toHaveLength(0);
    await recorder.composite(sessionId)?.result;
  });

  it('names the first bad segment for a relabelled segment and a missing file', async () => {
    const manifestPath = join(recDir, manifestName);
    const original = readFileSync(manifestPath, 'utf8');
    const manifest = JSON.parse(original) as Manifest;
    const second = manifest.segments[1]!;

    // Relabel a segment's times in manifest.json (without a store the manifest is all there is).
    const relabelled = {
      ...manifest,
      segments: manifest.segments.map((s) => (s.index === 1 ? { ...s, startMs: s.startMs + 500 } : s)),
    };
    writeFileSync(manifestPath, JSON.stringify(relabelled));
    const r1 = await verifyRecording({ dataDir, sessionId });
    expect(r1.firstBadSegment).toEqual({ index: 1, file: second.file, reason: 'chain_mismatch' });
    // With the store, the manifest also no longer matches what was sealed.
    expect((await verifyRecording({ dataDir, sessionId, store })).problems).toContain(
      'manifest.json differs from the one written at sealing',
    );
    writeFileSync(manifestPath, original);

    const path = join(recDir, second.file);
    const bytes = readFileSync(path);
    unlinkSync(path);
    expect((await verifyRecording({ dataDir, sessionId, store })).firstBadSegment).toEqual({
      index: 1,
      file: second.file,
      reason: 'missing',
    });
    writeFileSync(path, bytes);
    expect((await verifyRecording({ dataDir, sessionId, store })).valid).toBe(true);
  });
});

describe('a data directory moved or restored elsewhere', () => {
  it('still verifies: the recording is found under the new data directory', async () => {
    await db.close();
    const moved = `${dataDir}-moved`;
    renameSync(dataDir, moved);
    dataDir = moved;
    db = Database.open(join(dataDir, 'tongban.sqlite'));
    store = new RecordingStore(db);
    const v = await verifyRecording({ dataDir, sessionId, store });
    expect(v).toMatchObject({ valid: true, status: 'interrupted', firstBadSegment: null });
    expect(v.segmentCount).toBeGreaterThanOrEqual(3);
  });
});
