// The advice rules: how a score becomes a pass/doubt label. They only advise the handling clerk,
// who decides; the thresholds are stored with every result so a reader knows what "pass" meant.
import type { FaceCheckLabel, LivenessPrompt } from '../../../../protocol/http/face-check.js';
import type { FaceReading } from './FaceEngine.js';

/**
 * Similarity (human's match.similarity, 0..1) at or above which the live face and the ID portrait are
 * called alike. Chosen from the package's own sample photos: the same man in two photos scored
 * 0.65, two different men 0.41 and a man against a woman 0.00–0.33 (see face-engine.test.ts).
 */
export const MATCH_THRESHOLD = 0.55;
/** A head turn must sweep at least this many degrees of yaw across the sampled frames (a still face: ~1°). */
export const TURN_THRESHOLD_DEG = 20;
/** A blink: the eye opening (lid gap / eye height) must vary by at least this much across the frames (a still face: ~0.01). */
export const BLINK_THRESHOLD = 0.1;
/** Fewer frames with a face than this and liveness cannot be judged. */
export const MIN_LIVENESS_FACES = 3;

export const degrees = (radians: number): number => Math.round(((radians * 180) / Math.PI) * 10) / 10;
export const round = (x: number, places = 4): number => Math.round(x * 10 ** places) / 10 ** places;

export function matchLabel(face: FaceReading, id: FaceReading, similarity: number | null): FaceCheckLabel {
  if (!face.found || !id.found || similarity === null) return 'no_face';
  return similarity >= MATCH_THRESHOLD ? 'pass' : 'doubt';
}

export interface LivenessJudgement {
  readonly label: FaceCheckLabel;
  readonly measured: number | null;
  readonly threshold: number;
}

/** turn_head: the yaw range in degrees; blink: the range of the eye opening. */
export function judgeLiveness(prompt: LivenessPrompt, frames: readonly FaceReading[]): LivenessJudgement {
  const faces = frames.filter((f) => f.found);
  const threshold = prompt === 'turn_head' ? TURN_THRESHOLD_DEG : BLINK_THRESHOLD;
  if (faces.length < MIN_LIVENESS_FACES) return { label: 'no_face', measured: null, threshold };
  const values =
    prompt === 'turn_head'
      ? faces.map((f) => degrees(f.yaw))
      : faces.flatMap((f) => (f.eyeOpen === null ? [] : [f.eyeOpen]));
  if (values.length < MIN_LIVENESS_FACES) return { label: 'no_face', measured: null, threshold };
  const measured = round(Math.max(...values) - Math.min(...values), prompt === 'turn_head' ? 1 : 3);
  return { label: measured >= threshold ? 'pass' : 'doubt', measured, threshold };
}
