// Flow C over HTTP: search and read records (auditors, admins), legal hold and retention-guarded
// deletion (admins), evidence packages (streamed now, or as a job with progress).
import { z } from 'zod';
import { idParams, okResponse, paging, ref, route, slug } from '../common.js';
import { auditEntry } from './audit.js';
import { documentKinds, signingProgress, verificationReport } from './documents.js';
import { snapshot } from './identity.js';
import { recordingVerification } from './recording.js';
import { session } from './sessions.js';

export const recordRow = z.object({
  id: z.string(),
  kind: z.enum(['case', 'ceremony']),
  caseId: z.string().nullable(),
  ceremonyId: z.string().nullable(),
  sessionId: z.string().nullable(),
  number: z.string(),
  title: z.string(),
  matterId: z.string().nullable(),
  matterName: z.string().nullable(),
  archivedAt: z.string(),
  archivedBy: z.string(),
  retainUntil: z.string(),
  legalHold: z.boolean(),
  holdReason: z.string().nullable(),
  /** Who set the current legal hold, and when. */
  holdBy: z.string().nullable(),
  holdAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  sites: z.array(ref),
  participants: z.array(z.object({ name: z.string(), role: z.string(), userId: z.string().nullable() })),
});
export type RecordRow = z.infer<typeof recordRow>;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}([T ][\d:.]+Z?)?$/, 'expected an ISO date');
export const recordQuery = z
  .object({
    q: z.string().trim().max(100).optional(),
    site: slug.optional(),
    matter: slug.optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    participant: z.string().trim().max(100).optional(),
    ...paging,
  })
  .strict();
export const recordList = z.object({ records: z.array(recordRow), total: z.number().int() });
export type RecordList = z.infer<typeof recordList>;

/** The head of the session's segment hash chain as a document carries it (printed and in its Info). */
export const recordingCheckpoint = z.object({
  sessionId: z.string().min(1),
  /** Hex SHA-256 chain head h_n (h_0, the session's genesis, before the first segment). */
  head: z.string().regex(/^[0-9a-f]{64}$/),
  segmentCount: z.number().int().min(0),
  offsetMs: z.number().int().min(0),
  at: z.string(),
});
export type RecordingCheckpoint = z.infer<typeof recordingCheckpoint>;

export const recordDocument = signingProgress.extend({
  id: z.string(),
  kind: z.enum(documentKinds),
  title: z.string(),
  sha256: z.string(),
  checkpoint: recordingCheckpoint.nullable(),
  verification: verificationReport,
});
export type RecordDocument = z.infer<typeof recordDocument>;

/** The record's recording checked in place: the verification without the segment detail. */
export const recordingIntegrity = recordingVerification.omit({ firstBadSegment: true });
export type RecordingIntegrity = z.infer<typeof recordingIntegrity>;

export const recordDetail = z.object({
  record: recordRow,
  documents: z.array(recordDocument),
  snapshots: z.array(snapshot),
  recording: recordingIntegrity.nullable(),
  /** The record's session as stored (its current document is one of `documents`). */
  session: session.omit({ documentId: true }).nullable(),
  audit: z.array(auditEntry),
});
export type RecordDetail = z.infer<typeof recordDetail>;

/** Setting and clearing a legal hold both need a reason (it goes into the audit log). */
export const holdBody = z.object({ hold: z.boolean(), reason: z.string().trim().min(1).max(500) }).strict();

export const evidenceJob = z.object({
  id: z.string(),
  recordId: z.string(),
  /** An evidence package (zip) or a redacted copy of the playback video (MP4). */
  kind: z.enum(['package', 'redacted_video']),
  status: z.enum(['running', 'done', 'failed']),
  progress: z.number(),
  sha256: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type EvidenceJob = z.infer<typeof evidenceJob>;

export const searchRecords = route({ method: 'get', path: '/api/records', query: recordQuery, response: recordList });
export const getRecord = route({ method: 'get', path: '/api/records/:id', params: idParams, response: recordDetail });
export const setRecordHold = route({
  method: 'put',
  path: '/api/records/:id/hold',
  params: idParams,
  body: holdBody,
  response: recordRow,
});
export const deleteRecord = route({
  method: 'delete',
  path: '/api/records/:id',
  params: idParams,
  response: okResponse,
});
export const downloadEvidence = route({
  method: 'get',
  path: '/api/records/:id/evidence.zip',
  params: idParams,
  produces: 'application/zip',
});
export const startEvidenceJob = route({
  method: 'post',
  path: '/api/records/:id/evidence',
  params: idParams,
  response: evidenceJob,
  status: 202,
});
export const getEvidenceJob = route({
  method: 'get',
  path: '/api/evidence-jobs/:id',
  params: idParams,
  response: evidenceJob,
});
export const downloadEvidenceJob = route({
  method: 'get',
  path: '/api/evidence-jobs/:id/download',
  params: idParams,
  produces: 'application/zip',
});

/** The search filters of a record search, without paging: a batch covers the whole result. */
export const recordFilters = recordQuery.omit({ limit: true, offset: true });
export type RecordFilters = z.infer<typeof recordFilters>;

/** One record of a batch verification: the record page's checks reduced to a row (and a CSV line). */
export const recordVerificationRow = z.object({
  recordId: z.string(),
  number: z.string(),
  kind: z.enum(['case', 'ceremony']),
  title: z.string(),
  archivedAt: z.string(),
  documents: z.number().int(),
  signatures: z.number().int(),
  /** Every document's every signature intact, trusted, unrevoked and unmodified. */
  signaturesValid: z.boolean(),
  /** The recording's state ('none' when the record has no session), and whether its chain and seal hold. */
  recording: z.enum(['valid', 'invalid', 'none']),
  valid: z.boolean(),
  problems: z.array(z.string()),
});
export type RecordVerificationRow = z.infer<typeof recordVerificationRow>;

export const recordVerificationJob = z.object({
  id: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  total: z.number().int(),
  checked: z.number().int(),
  rows: z.array(recordVerificationRow),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RecordVerificationJob = z.infer<typeof recordVerificationJob>;

export const startRecordVerification = route({
  method: 'post',
  path: '/api/record-verifications',
  body: recordFilters.strict(),
  response: recordVerificationJob,
  status: 202,
});
export const getRecordVerification = route({
  method: 'get',
  path: '/api/record-verifications/:id',
  params: idParams,
  response: recordVerificationJob,
});
export const downloadRecordVerificationCsv = route({
  method: 'get',
  path: '/api/record-verifications/:id/results.csv',
  params: idParams,
  produces: 'text/csv',
});

/**
 * What a record's timeline marks. Every kind is listed even when nothing produces it yet (script
 * prompts and answers, materials, clerk-marked ID windows come with issue 15), so new sources add
 * marks without changing the timeline.
 */
export const timelineMarkKinds = [
  'consent',
  'join',
  'leave',
  'snapshot_face',
  'snapshot_id',
  'signature',
  'script_prompt',
  'script_answer',
  'material',
  'id_shown',
  // A clerk's screen share began / ended (issue 15 §5); the share is its own recorded track.
  'screen_share_start',
  'screen_share_stop',
  // The session's room moved to another media node (its home lost) and the recording went on there.
  'recording_resumed',
] as const;
export type TimelineMarkKind = (typeof timelineMarkKinds)[number];

export const timelineMark = z.object({
  kind: z.enum(timelineMarkKinds),
  /** Milliseconds from the composite video's start (= the recording's start); negative: before it began. */
  offsetMs: z.number().int(),
  /** For marks that span time (e.g. a window showing the ID): where the span ends. */
  endMs: z.number().int().optional(),
  at: z.string(),
  /** Who the mark is about (display name), when it is about someone. */
  who: z.string().nullable(),
  role: z.string().nullable(),
  /** Kind-specific detail: the document title of a signature, the chain link of a snapshot, a prompt's text. */
  detail: z.string().nullable(),
});
export type TimelineMark = z.infer<typeof timelineMark>;

export const recordTimeline = z.object({
  recordId: z.string(),
  sessionId: z.string().nullable(),
  /** The instant offset 0 stands for (the recording's start); null without a recording. */
  startedAt: z.string().nullable(),
  /** Milliseconds recorded (the composite's length). */
  durationMs: z.number().int().min(0),
  marks: z.array(timelineMark),
});
export type RecordTimeline = z.infer<typeof recordTimeline>;

/** A span of the playback video, in ms from its start. */
export const videoWindow = z
  .object({ fromMs: z.number().int().min(0), toMs: z.number().int().min(0) })
  .strict()
  .refine((w) => w.toMs > w.fromMs, 'toMs must be after fromMs');
export const redactedVideoBody = z
  .object({
    /** Spans the auditor adds to the automatic ones (around each ID snapshot, the marked ID windows). */
    windows: z.array(videoWindow).max(50).default([]),
  })
  .strict();
export type RedactedVideoBody = z.input<typeof redactedVideoBody>;

export const getRecordTimeline = route({
  method: 'get',
  path: '/api/records/:id/timeline',
  params: idParams,
  response: recordTimeline,
});
export const startRedactedVideo = route({
  method: 'post',
  path: '/api/records/:id/redacted-video',
  params: idParams,
  body: redactedVideoBody,
  response: evidenceJob,
  status: 202,
});
export const downloadRedactedVideo = route({
  method: 'get',
  path: '/api/evidence-jobs/:id/video.mp4',
  params: idParams,
  produces: 'video/mp4',
});
