// HTTP for recordings: GET /api/sessions/:id/recording (state, participants, segments) and
// GET /api/sessions/:id/recording/verification (hashes, chain, seal; the first bad segment) and
// GET /api/sessions/:id/recording/composite.mp4 (the rendered grid video).
// Participants and auditors read them; the answer comes from the database and the files, so it
// works whether or not the media plane is running.
import { authorize } from '../../kernel/policy.js';
import type { Principal } from '../../kernel/principal.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { NotFoundError, toErrorReply } from '../../kernel/errors.js';
import type { SessionService } from '../sessions/index.js';
import type { RecordingService } from './RecordingService.js';
import { getRecording, getRecordingComposite, verifyRecording } from '../../../protocol/http/recording.js';

export interface RecordingRoutesDeps {
  readonly sessions: SessionService;
  readonly recording: RecordingService;
}

export function recordingRoutes(deps: RecordingRoutesDeps): RouteModule {
  return {
    name: 'recordings',
    register(api) {
      const { store } = deps.recording;
      const readable = async (principal: Principal, sessionId: string) => {
        const session = await deps.sessions.get(sessionId);
        authorize(principal, 'session.read', { participant: deps.sessions.isParticipant(principal, session) });
      };

      api.route({
        ...getRecording,
        summary: "The session's recording: state, participants and chained segments",
        tag: 'sessions',
        access: 'session.read',
        personalData: { what: 'recording (participants, segments)', object: (p) => `session:${p.id}` },
        handler: async ({ principal, params }) => {
          await readable(principal, params.id);
          const row = await store.get(params.id);
          if (!row) throw new NotFoundError(`recording of session ${params.id}`);
          return {
            sessionId: row.sessionId,
            status: row.status,
            startedAt: row.startedAt,
            endedAt: row.endedAt,
            head: row.head,
            segmentCount: row.segmentCount,
            sealed: row.sealPresent,
            participants: await store.participants(params.id),
            segments: (await store.segments(params.id)).map(({ chainHash: _chain, ...s }) => s),
            composite: await compositeOf(params.id),
            storage: await deps.recording.archive?.progress(params.id),
          };
        },
      });

      const compositeOf = async (sessionId: string) => {
        const state = await deps.recording.compositeState(sessionId);
        return (
          state && {
            ...state,
            ...(state.status === 'ready' ? { url: `/api/sessions/${sessionId}/recording/composite.mp4` } : {}),
          }
        );
      };

      api.route({
        ...getRecordingComposite,
        summary: 'The rendered grid video of the recording (MP4, byte ranges supported)',
        tag: 'sessions',
        access: 'session.read',
        personalData: { what: 'recording video', object: (p) => `session:${p.id}` },
        handler: async ({ principal, params, res }) => {
          await readable(principal, params.id);
          const file = await deps.recording.compositeFile(params.id);
          if (!file) throw new NotFoundError(`composite video of session ${params.id}`);
          res.sendFile(file, { dotfiles: 'allow', headers: { 'content-type': 'video/mp4' } }, (err) => {
            if (!err || res.headersSent) return;
            const { status, body } = toErrorReply(new NotFoundError(`composite video of session ${params.id}`));
            res.status(status).json(body);
          });
          return undefined;
        },
      });

      api.route({
        ...verifyRecording,
        summary:
          'Recompute every segment hash and the hash chain, check the manifest seal; names the first bad segment',
        tag: 'sessions',
        access: 'session.read',
        handler: async ({ principal, params }) => {
          await readable(principal, params.id);
          return deps.recording.verify(params.id);
        },
      });
    },
  };
}
