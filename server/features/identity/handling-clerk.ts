// Who may act in flow A's room: the handling site's clerk who is the session's handling clerk,
// while the case is in session.
import type { CaseSummary } from '../cases/index.js';
import { ConflictError, ForbiddenError } from '../../kernel/errors.js';
import type { UserPrincipal } from '../../kernel/principal.js';
import type { Session, SessionService } from '../sessions/index.js';

/** The case's open session, when `clerk` handles it and the case is in session; else 403 / 409. */
export function handlingSession(sessions: SessionService, clerk: UserPrincipal, c: CaseSummary): Session {
  if (clerk.role !== 'clerk' || clerk.siteId !== c.handlingSite.id) throw new ForbiddenError('handling clerk only');
  const session = sessions.openForCase(c.id);
  if (!session || !session.participants.some((p) => p.userId === clerk.userId && p.role === 'handling_clerk')) {
    throw new ForbiddenError('only the clerk handling this case');
  }
  if (c.status !== 'in_session') throw new ConflictError(`case is ${c.status}, not in_session`, 'invalid_state');
  return session;
}
