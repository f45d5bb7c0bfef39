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

/**
 * Chain entries that are records of the session, not media: an ID card's OCR result, a face check
 * (JSON), the 意愿确认 script's prompts and answers (`entry:script-prompt`, `entry:script-answer`),
 * uploaded materials (`entry:material-upload`, the file as uploaded).
 */
export const entryTrackPrefix = 'entry:';

export function isMediaSegment(s: { readonly track: string }): boolean {
  return !s.track.startsWith(snapshotTrackPrefix) && !s.track.startsWith(entryTrackPrefix);
}
