// HTTP for recordings: GET /api/sessions/:id/recording (state, participants, segments) and
// GET /api/sessions/:id/recording/verification (hashes, chain, seal; the first bad segment) and
// GET /api/sessions/:id/recording/composite.mp4 (the rendered grid video).
// Participants and auditors read them; the answer comes from the database and the files, so it
// works whether or not the media plane is running.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { authorize } from '../../kernel/policy.js';
import { FlowServices } from '../../app/FlowServices.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { idParams } from '../../http/schemas.js';
import { NotFoundError } from '../../kernel/errors.js';
import { mediaHandles } from '../media/plugin.js';
import { compositePath } from './CompositeJob.js';
import { recordingDirectory } from './files.js';
import { platformManifestSeal } from './platform-seal.js';
import { RecordingStore } from './RecordingStore.js';
import { verifyRecording } from './verification.js';

const verificationSchema = z.object({
  sessionId: z.string(),
  status: z.enum(['recording', 'sealed', 'interrupted', 'missing']),
  valid: z.boolean(),
  segmentCount: z.number(),
  head: z.string().nullable(),
  firstBadSegment: z.object({ index: z.number(), file: z.string(), reason: z.string() }).nullable(),
  problems: z.array(z.string()),
  seal: z.object({ state: z.enum(['valid', 'invalid', 'missing', 'not_checked']), reason: z.string().optional() }),
});

const recordingSchema = z.object({
  sessionId: z.string(),
  status: z.enum(['recording', 'sealed', 'interrupted']),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  head: z.string(),
  segmentCount: z.number(),
  sealed: z.boolean(),
  participants: z.array(z.object({ id: z.string(), displayName: z.string(), role: z.string(), firstSeenMs: z.number() })),
  segments: z.array(z.object({ index: z.number(), participant: z.string(), track: z.string(), file: z.string(), bytes: z.number(), sha256: z.string(), startMs: z.number(), endMs: z.number() })),
  /** The grid video for playback (not evidence), once rendered; absent when there is none. */
  composite: z.object({ status: z.enum(['rendering', 'ready', 'failed']), progress: z.number(), url: z.string().optional() }).optional(),
});

export const recordingRoutes: RouteModule = {
  name: 'recordings',
  register(api, ctx) {
    const store = new RecordingStore(ctx.db);
    const readable = (principal: Parameters<typeof authorize>[0], sessionId: string) => {
      const session = ctx.sessions.get(sessionId);
      authorize(principal, 'session.read', { participant: ctx.sessions.isParticipant(principal!, session) });
    };

    api.route({
      method: 'get',
      path: '/api/sessions/:id/recording',
      summary: "The session's recording: state, participants and chained segments",
      tag: 'sessions',
      access: 'session.read',
      params: idParams,
      response: recordingSchema,
      handler: ({ principal, params }) => {
        readable(principal, params.id);
        const row = store.get(params.id);
        if (!row) throw new NotFoundError(`recording of session ${params.id}`);
        return {
          sessionId: row.sessionId,
          status: row.status,
          startedAt: row.startedAt,
          endedAt: row.endedAt,
          head: row.head,
          segmentCount: row.segmentCount,
          sealed: row.sealPresent,
          participants: store.participants(params.id),
          segments: store.segments(params.id).map(({ chainHash: _chain, ...s }) => s),
          composite: compositeOf(params.id, recordingDirectory(ctx.config.dataDir, params.id, row)),
        };
      },
    });

    const compositeOf = (sessionId: string, dir: string) => {
      const state = mediaHandles(ctx)?.recorder.compositeState(sessionId) ?? (existsSync(compositePath(dir)) ? { status: 'ready' as const, progress: 1 } : undefined);
      return state && { ...state, ...(state.status === 'ready' ? { url: `/api/sessions/${sessionId}/recording/composite.mp4` } : {}) };
    };

    api.route({
      method: 'get',
      path: '/api/sessions/:id/recording/composite.mp4',
      summary: 'The rendered grid video of the recording (MP4, byte ranges supported)',
      tag: 'sessions',
      access: 'session.read',
      params: idParams,
      produces: 'video/mp4',
      handler: ({ principal, params, res }) => {
        readable(principal, params.id);
        const row = store.get(params.id);
        const file = row && compositePath(recordingDirectory(ctx.config.dataDir, params.id, row));
        if (!file || !existsSync(file)) throw new NotFoundError(`composite video of session ${params.id}`);
        res.sendFile(file, { dotfiles: 'allow', headers: { 'content-type': 'video/mp4' } }, (err) => {
          if (err && !res.headersSent) res.status(404).json({ error: { code: 'not_found', message: 'composite video not found' } });
        });
        return undefined;
      },
    });

    api.route({
      method: 'get',
      path: '/api/sessions/:id/recording/verification',
      summary: 'Recompute every segment hash and the hash chain, check the manifest seal; names the first bad segment',
      tag: 'sessions',
      access: 'session.read',
      params: idParams,
      response: verificationSchema,
      handler: async ({ principal, params }) => {
        readable(principal, params.id);
        const seal = platformManifestSeal(FlowServices.for(ctx).pki);
        return verifyRecording({ dataDir: ctx.config.dataDir, sessionId: params.id, store, seal });
      },
    });
  },
};
