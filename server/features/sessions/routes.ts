// Video sessions: participants (and auditors) read them with their current document.
import { authorize } from '../../kernel/policy.js';
import type { Session, SessionService } from './SessionService.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { getSession } from '../../../protocol/http/sessions.js';

export interface SessionRoutesDeps {
  readonly sessions: SessionService;
  /** The session's current flow document (identity confirmation or agreement), once there is one. */
  currentDocumentId(session: Session): Promise<string | null>;
}

export function sessionRoutes(deps: SessionRoutesDeps): RouteModule {
  return {
    name: 'sessions',
    register(api) {
      api.route({
        ...getSession,
        summary: 'A video session and its participants',
        tag: 'sessions',
        access: 'session.read',
        personalData: { what: 'session participants', object: (p) => `session:${p.id}` },
        handler: async ({ principal, params }) => {
          const session = await deps.sessions.get(params.id);
          authorize(principal, 'session.read', { participant: deps.sessions.isParticipant(principal, session) });
          return { ...session, documentId: await deps.currentDocumentId(session) };
        },
      });
    },
  };
}
