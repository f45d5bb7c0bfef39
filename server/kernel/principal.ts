// Who is making a request: a staff user with a role and (except auditors and admins) a site, or an
// applicant guest bound by an invitation code to exactly one session.
export type Role = 'clerk' | 'official' | 'auditor' | 'admin';
export const roles: readonly Role[] = ['clerk', 'official', 'auditor', 'admin'];

export type Principal =
  | {
      readonly kind: 'user';
      readonly userId: string;
      readonly username: string;
      readonly displayName: string;
      readonly role: Role;
      readonly siteId: string | null;
    }
  | {
      readonly kind: 'guest';
      readonly sessionId: string;
      readonly caseId: string | null;
      readonly displayName: string;
    };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;
export type GuestPrincipal = Extract<Principal, { kind: 'guest' }>;

/** How the audit log names an actor: `user:<id>`, `guest:<sessionId>` or `system`. */
export function actorOf(principal: Principal | undefined): string {
  if (!principal) return 'system';
  return principal.kind === 'user' ? `user:${principal.userId}` : `guest:${principal.sessionId}`;
}
