// A small sealed recording built from random "segments" with the recorder's own hash chain, for
// tests that need a recording without running mediasoup and ffmpeg.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Signer, TimeStamper } from '../../certs/types.js';
import { createDetachedCms } from '../../signing/cms/create-cms.js';
import { genesis, nextHead } from '../features/recording/index.js';
import type { RecordingStore } from '../features/recording/index.js';
import { sha256Hex } from '../features/evidence/index.js';

export interface SyntheticRecording {
  /** Relative paths: manifest.json, manifest.json.p7s, segments. */
  readonly files: Map<string, Uint8Array>;
  /** h_0 … h_n */
  readonly links: string[];
}

export async function syntheticRecording(
  sessionId: string,
  segments: number,
  seal: Signer,
  timeStamper: TimeStamper,
): Promise<SyntheticRecording> {
  const files = new Map<string, Uint8Array>();
  const links = [genesis(sessionId)];
  const rows = [];
  for (let index = 0; index < segments; index++) {
    const bytes = randomBytes(2048 + index);
    const file = `applicant/seg-${String(index).padStart(5, '0')}.webm`;
    files.set(file, bytes);
    const meta = {
      index,
      participant: 'guest:applicant',
      track: 'audio+video',
      startMs: index * 4000,
      endMs: (index + 1) * 4000,
    };
    const chainHash = nextHead(links.at(-1)!, sha256Hex(bytes), meta);
    links.push(chainHash);
    rows.push({ ...meta, file, bytes: bytes.byteLength, sha256: sha256Hex(bytes), chainHash });
  }
  const manifest = {
    format: 'tongban-recording-manifest/1',
    sessionId,
    status: 'complete',
    startedAt: '2026-06-01T08:00:00.000Z',
    endedAt: '2026-06-01T08:10:00.000Z',
    participants: [{ id: 'guest:applicant', displayName: '王五', role: 'applicant' }],
    tracks: [{ participant: 'guest:applicant', track: 'audio+video', container: 'webm', codecs: ['opus', 'vp8'] }],
    chain: { algorithm: 'SHA-256', format: 'test', genesis: links[0], head: links.at(-1) },
    segments: rows,
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
  files.set('manifest.json', manifestBytes);
  files.set('manifest.json.p7s', await createDetachedCms(manifestBytes, seal, { timeStamper }));
  return { files, links };
}

/**
 * Appends one random segment to a session's recording through the recorder's own store (the row
 * and folder are created on first use), as a closed ffmpeg segment would be: file written, hashed
 * and chained. The real Recorder then checkpoints and seals it.
 */
export async function appendStoredSegment(store: RecordingStore, dataDir: string, sessionId: string): Promise<void> {
  const row =
    (await store.get(sessionId)) ??
    (
      await store.create(
        sessionId,
        join(dataDir, 'recordings', sessionId),
        new Date().toISOString(),
        genesis(sessionId),
      )
    ).row;
  const index = row.segmentCount;
  const file = `guest_applicant/seg-${String(index).padStart(5, '0')}.webm`;
  const bytes = randomBytes(4096 + index);
  mkdirSync(dirname(join(row.dir, file)), { recursive: true });
  writeFileSync(join(row.dir, file), bytes);
  const meta = {
    index,
    participant: 'guest:applicant',
    track: 'audio+video',
    startMs: index * 4000,
    endMs: (index + 1) * 4000,
  };
  await store.append(sessionId, row.head, {
    ...meta,
    file,
    bytes: bytes.byteLength,
    sha256: sha256Hex(bytes),
    chainHash: nextHead(row.head, sha256Hex(bytes), meta),
  });
}
