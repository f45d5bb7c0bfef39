// Video sessions: participants (and auditors) read them with their current document.
import { z } from 'zod';
import { authorize } from '../../kernel/policy.js';
import type { Session, SessionService } from './SessionService.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { idParams } from '../../http/schemas.js';

const sessionSchema = z.object({
  id: z.string(),
  kind: z.enum(['case', 'ceremony']),
  caseId: z.string().nullable(),
  ceremonyId: z.string().nullable(),
  status: z.enum(['open', 'ended']),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** The session's current flow document (identity confirmation or agreement), once there is one. */
  documentId: z.string().nullable(),
  participants: z.array(
    z.object({
      participantId: z.string(),
      userId: z.string().nullable(),
      guest: z.boolean(),
      displayName: z.string(),
      role: z.string(),
      addedAt: z.string(),
    }),
  ),
});

export interface SessionRoutesDeps {
  readonly sessions: SessionService;
  /** The session's current flow document (identity confirmation or agreement), once there is one. */
  currentDocumentId(session: Session): string | null;
}

export function sessionRoutes(deps: SessionRoutesDeps): RouteModule {
  return {
  name: 'sessions',
  register(api) {
    api.route({
      method: 'get',
      path: '/api/sessions/:id',
      summary: 'A video session and its participants',
      tag: 'sessions',
      access: 'session.read',
      params: idParams,
      response: sessionSchema,
      handler: ({ principal, params }) => {
        const session = deps.sessions.get(params.id);
        authorize(principal, 'session.read', { participant: deps.sessions.isParticipant(principal, session) });
        return { ...session, documentId: deps.currentDocumentId(session) };
      },
    });

  },
};
}
