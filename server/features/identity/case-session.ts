// Who may act in a case's live session: the handling clerk (snapshots, script, confirmation) and the
// originating clerk (materials), each a participant of the case's open session while it is in session.
import type { CaseSummary } from '../cases/index.js';
import type { UserPrincipal } from '../../kernel/principal.js';
import { ConflictError, ForbiddenError } from '../../kernel/errors.js';
import type { Session, SessionService } from '../sessions/index.js';

export async function caseSessionOf(
  sessions: SessionService,
  clerk: UserPrincipal,
  c: CaseSummary,
  side: 'handling' | 'originating',
): Promise<Session> {
  const site = side === 'handling' ? c.handlingSite : c.originatingSite;
  if (clerk.role !== 'clerk' || clerk.siteId !== site.id) throw new ForbiddenError(`${side} clerk only`);
  const session = await sessions.openForCase(c.id);
  const role = side === 'handling' ? 'handling_clerk' : 'originating_clerk';
  if (!session || !session.participants.some((p) => p.userId === clerk.userId && p.role === role)) {
    throw new ForbiddenError(`only the clerk ${side === 'handling' ? 'handling' : 'who opened'} this case`);
  }
  if (c.status !== 'in_session') throw new ConflictError(`case is ${c.status}, not in_session`, 'invalid_state');
  return session;
}
