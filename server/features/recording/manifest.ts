// manifest.json: what the recording is (participants, tracks, segments with hashes and times, the
// chain), written once at the end and sealed with a detached CMS signature (manifest.json.p7s).
import { createHash } from 'node:crypto';
import { chainFormat, isMediaSegment } from './hash-chain.js';
import type { ParticipantRow, RecordingRow, SegmentRow } from './RecordingStore.js';

export const manifestName = 'manifest.json';
export const sealName = 'manifest.json.p7s';

/** The platform seal as the recorder needs it: detached CMS (with timestamp) over bytes, and its check. */
export interface ManifestSeal {
  seal(content: Uint8Array): Promise<Uint8Array>;
  verify(content: Uint8Array, cms: Uint8Array): Promise<{ readonly valid: boolean; readonly reason?: string }>;
}

export interface Manifest {
  readonly format: 'tongban-recording-manifest/1';
  readonly sessionId: string;
  /** 'interrupted': sealed at start-up after a crash, with the segments that had closed. */
  readonly status: 'complete' | 'interrupted';
  readonly startedAt: string;
  readonly endedAt: string;
  readonly participants: readonly { id: string; displayName: string; role: string }[];
  readonly tracks: readonly { participant: string; track: string; container: 'webm'; codecs: readonly string[] }[];
  readonly chain: {
    readonly algorithm: 'SHA-256';
    readonly format: string;
    readonly genesis: string;
    readonly head: string;
  };
  readonly segments: readonly SegmentRow[];
}

export function buildManifest(
  rec: RecordingRow,
  participants: readonly ParticipantRow[],
  segments: readonly SegmentRow[],
  status: Manifest['status'],
  endedAt: string,
): Manifest {
  const tracks = new Map<string, { participant: string; track: string; container: 'webm'; codecs: string[] }>();
  for (const s of segments.filter(isMediaSegment)) {
    const key = `${s.participant}\n${s.track}`;
    if (!tracks.has(key)) {
      const codecs = s.track.split('+').map((k) => (k === 'audio' ? 'opus' : 'vp8'));
      tracks.set(key, { participant: s.participant, track: s.track, container: 'webm', codecs });
    }
  }
  return {
    format: 'tongban-recording-manifest/1',
    sessionId: rec.sessionId,
    status,
    startedAt: rec.startedAt,
    endedAt,
    participants: participants.map((p) => ({ id: p.id, displayName: p.displayName, role: p.role })),
    tracks: [...tracks.values()],
    chain: {
      algorithm: 'SHA-256',
      format: chainFormat,
      genesis: rec.genesis,
      head: segments.at(-1)?.chainHash ?? rec.genesis,
    },
    segments,
  };
}

export function manifestBytes(m: Manifest): Buffer {
  return Buffer.from(JSON.stringify(m, null, 2) + '\n', 'utf8');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
