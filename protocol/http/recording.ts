// A session's recording: state, participants and chained segments; its verification; the rendered
// grid video. Read by the session's participants and by auditors.
import { z } from 'zod';
import { idParams, route } from '../common.js';

export const recordingStatuses = ['recording', 'sealed', 'interrupted'] as const;

export const recordingInfo = z.object({
  sessionId: z.string(),
  status: z.enum(recordingStatuses),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  head: z.string(),
  segmentCount: z.number(),
  sealed: z.boolean(),
  participants: z.array(
    z.object({ id: z.string(), displayName: z.string(), role: z.string(), firstSeenMs: z.number() }),
  ),
  segments: z.array(
    z.object({
      index: z.number(),
      participant: z.string(),
      track: z.string(),
      file: z.string(),
      bytes: z.number(),
      sha256: z.string(),
      startMs: z.number(),
      endMs: z.number(),
    }),
  ),
  /** The grid video for playback (not evidence), once rendered; absent when there is none. */
  composite: z
    .object({ status: z.enum(['rendering', 'ready', 'failed']), progress: z.number(), url: z.string().optional() })
    .optional(),
  /** Cluster mode: the recording's files copied to object storage so far, and those still on their way. */
  storage: z.object({ files: z.number(), bytes: z.number(), pending: z.number() }).optional(),
});
export type RecordingInfo = z.infer<typeof recordingInfo>;

export const recordingVerification = z.object({
  sessionId: z.string(),
  status: z.enum([...recordingStatuses, 'missing']),
  valid: z.boolean(),
  segmentCount: z.number(),
  head: z.string().nullable(),
  firstBadSegment: z
    .object({
      index: z.number(),
      file: z.string(),
      reason: z.enum(['missing', 'hash_mismatch', 'chain_mismatch', 'out_of_order']),
    })
    .nullable(),
  problems: z.array(z.string()),
  seal: z.object({ state: z.enum(['valid', 'invalid', 'missing', 'not_checked']), reason: z.string().optional() }),
});
export type RecordingVerification = z.infer<typeof recordingVerification>;

export const getRecording = route({
  method: 'get',
  path: '/api/sessions/:id/recording',
  params: idParams,
  response: recordingInfo,
});
export const getRecordingComposite = route({
  method: 'get',
  path: '/api/sessions/:id/recording/composite.mp4',
  params: idParams,
  produces: 'video/mp4',
});
export const verifyRecording = route({
  method: 'get',
  path: '/api/sessions/:id/recording/verification',
  params: idParams,
  response: recordingVerification,
});
