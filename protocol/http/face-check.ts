// Face match and liveness as advice (issue 15 §3): the handling clerk asks the server to compare the
// live face snapshot with the portrait on the ID snapshot, or to watch the applicant's recorded
// video while a prompt (turn head / blink) is on the applicant's screen. The result is advice with a
// score and a pass/doubt label; the clerk's own decision is a separate record.
import { z } from 'zod';
import { idParams, route } from '../common.js';

export const livenessPrompts = ['turn_head', 'blink'] as const;
export const livenessPrompt = z.enum(livenessPrompts);
export type LivenessPrompt = z.infer<typeof livenessPrompt>;

/** pass: above the threshold; doubt: below it; no_face: an image without a face to judge. */
export const faceCheckLabel = z.enum(['pass', 'doubt', 'no_face']);
export type FaceCheckLabel = z.infer<typeof faceCheckLabel>;

export const faceCheckDecision = z.enum(['accepted', 'rejected']);
export type FaceCheckDecision = z.infer<typeof faceCheckDecision>;

const reading = z.object({
  found: z.boolean(),
  confidence: z.number(),
  yawDeg: z.number(),
  eyeOpen: z.number().nullable(),
});

export const faceMatchDetails = z.object({
  faceSnapshot: z.string().uuid(),
  idSnapshot: z.string().uuid(),
  face: reading,
  id: reading,
});
export const livenessDetails = z.object({
  /** Each sampled frame of the applicant's recorded video, chained as its own link. */
  frames: z.array(reading.extend({ offsetMs: z.number().int(), chainIndex: z.number().int() })),
  /** turn_head: max − min yaw over the frames; blink: max − min eye opening. */
  measured: z.number().nullable(),
});

export const faceCheck = z.object({
  id: z.string().uuid(),
  caseId: z.string().uuid(),
  sessionId: z.string(),
  kind: z.enum(['match', 'liveness']),
  prompt: livenessPrompt.nullable(),
  label: faceCheckLabel,
  /** match: human's similarity 0..1; liveness: yaw range in degrees or eye-opening range. null: no face. */
  score: z.number().nullable(),
  threshold: z.number(),
  model: z.string(),
  modelVersion: z.string(),
  /** Model time for the whole check (decoding excluded), ms. */
  analysisMs: z.number().int(),
  details: z.union([faceMatchDetails, livenessDetails]),
  /** The chain link holding this result (JSON) in the session's recording. */
  offsetMs: z.number().int(),
  chainIndex: z.number().int(),
  chainHash: z.string(),
  checkedBy: z.string(),
  checkedAt: z.string(),
  decision: z
    .object({ decision: faceCheckDecision, decidedBy: z.string(), decidedAt: z.string(), chainIndex: z.number().int() })
    .nullable(),
});
export type FaceCheck = z.infer<typeof faceCheck>;

export const faceCheckList = z.object({ checks: z.array(faceCheck) });
export const livenessBody = z.object({ prompt: livenessPrompt }).strict();
export const faceCheckParams = z.object({ id: z.string().uuid(), checkId: z.string().uuid() }).strict();
export const decideFaceCheckBody = z.object({ decision: faceCheckDecision }).strict();

export const runFaceMatch = route({
  method: 'post',
  path: '/api/cases/:id/face-match',
  params: idParams,
  response: faceCheck,
  status: 201,
});
export const runLiveness = route({
  method: 'post',
  path: '/api/cases/:id/liveness',
  params: idParams,
  body: livenessBody,
  response: faceCheck,
  status: 201,
});
export const listFaceChecks = route({
  method: 'get',
  path: '/api/cases/:id/face-checks',
  params: idParams,
  response: faceCheckList,
});
export const decideFaceCheck = route({
  method: 'post',
  path: '/api/cases/:id/face-checks/:checkId/decision',
  params: faceCheckParams,
  body: decideFaceCheckBody,
  response: faceCheck,
  status: 201,
});
