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
    const codes = deps.invitations.revokeUnused(sessionId);
    // The embedded store revokes at once (synchronously, in this call); a shared one a moment later.
    void deps.loginSessions.revokeGuestsOf(sessionId).then((guestLogins) => {
      if (guestLogins || codes)
        deps.audit.appendSync({
          actor: 'system',
          action: 'session.guest_access_ended',
          target: `session:${sessionId}`,
          details: { guestLogins, unusedInvitations: codes },
        });
    }, deps.log);
  });
}
