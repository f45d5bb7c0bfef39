// Guest access lasts as long as the video session: when a session ends (identity confirmed and
// signed, archived, cancelled), its applicant's guest logins end (open sockets are closed through
// the login revocation) and its unused invitation codes are revoked, so neither an old cookie nor a
// forgotten code opens the record afterwards.
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { LoginSessions } from '../auth/index.js';
import type { SessionService } from '../sessions/index.js';
import type { InvitationService } from './InvitationService.js';

export function endGuestAccessWhenSessionsEnd(deps: {
  readonly sessions: SessionService;
  readonly loginSessions: LoginSessions;
  readonly invitations: InvitationService;
  readonly audit: AuditLog;
  /** Where a login store that failed to answer is reported (the shared Redis, when it is down). */
  readonly log: (err: unknown) => void;
}): () => void {
  return deps.sessions.onEnded((sessionId) => {
    // Told as the session ends; runs once the ending transaction has let go of the database.
    const end = async () => {
      const codes = await deps.invitations.revokeUnused(sessionId);
      const guestLogins = await deps.loginSessions.revokeGuestsOf(sessionId);
      if (guestLogins || codes)
        await deps.audit.append({
          actor: 'system',
          action: 'session.guest_access_ended',
          target: `session:${sessionId}`,
          details: { guestLogins, unusedInvitations: codes },
        });
    };
    void end().catch(deps.log);
  });
}
