// The recording hash chain (DESIGN §6): h_i = SHA-256(h_{i-1} ‖ SHA-256(segment_i) ‖ meta_i).
// h_0 binds the chain to its session; meta_i is canonical JSON (keys sorted, no spaces) of the
// segment's track, participant, index and times, so reordering or relabelling breaks the chain.
import { createHash } from 'node:crypto';

export interface SegmentMeta {
  /** 0-based position in the session's chain. */
  readonly index: number;
  readonly participant: string;
  /** What the segment file holds, e.g. 'audio+video'. */
  readonly track: string;
  /** Milliseconds from the recording's start. */
  readonly startMs: number;
  readonly endMs: number;
}

export const chainFormat =
  'h_i = SHA-256(h_{i-1} || SHA-256(segment_i) || meta_i); meta_i = UTF-8 JSON {endMs,index,participant,startMs,track}; h_0 = SHA-256("tongban-recording/1\\n" || sessionId)';

export function genesis(sessionId: string): string {
  return createHash('sha256').update(`tongban-recording/1\n${sessionId}`, 'utf8').digest('hex');
}

export function canonicalMeta(m: SegmentMeta): string {
  return JSON.stringify({
    endMs: m.endMs,
    index: m.index,
    participant: m.participant,
    startMs: m.startMs,
    track: m.track,
  });
}

/** The next head, all values as lower-case hex. */
export function nextHead(previousHex: string, segmentSha256Hex: string, meta: SegmentMeta): string {
  return createHash('sha256')
    .update(Buffer.from(previousHex, 'hex'))
    .update(Buffer.from(segmentSha256Hex, 'hex'))
    .update(canonicalMeta(meta), 'utf8')
    .digest('hex');
}

/** Chain entries that are snapshot images (a frame taken from the recording), not media segments. */
export const snapshotTrackPrefix = 'snapshot:';
/** Chain entries of the 意愿确认 script (a prompt shown, an answer marked) and materials (issue 15). */
export const scriptTrackPrefix = 'script:';
export const materialTrackPrefix = 'material:';
const entryPrefixes = [snapshotTrackPrefix, scriptTrackPrefix, materialTrackPrefix];

export function isMediaSegment(s: { readonly track: string }): boolean {
  return !entryPrefixes.some((prefix) => s.track.startsWith(prefix));
}
