// Who is making a request: a staff user with a role and (except auditors and admins) a site, or an
// applicant guest bound by an invitation code to exactly one session.
import type { Principal } from '../../protocol/principal.js';

export type { GuestPrincipal, Principal, UserPrincipal } from '../../protocol/principal.js';
export { roles, type Role } from '../../protocol/common.js';

/** How the audit log names an actor: `user:<id>`, `guest:<invitationId>` or `system`. */
export function actorOf(principal: Principal | undefined): string {
  if (!principal) return 'system';
  return principal.kind === 'user' ? `user:${principal.userId}` : guestActor(principal.guestId);
}

/** The one name of an invited applicant: audit actor, session participant id and media peer id. */
export function guestActor(guestId: string): string {
  return `guest:${guestId}`;
}
