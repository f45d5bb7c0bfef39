// Who is making a request: a staff user with a role and (except auditors and admins) a site, or an
// applicant guest bound by an invitation code to exactly one session. Same shape as the server's.
// Each invitation is its own guest: `guestId` is the invitation's id (audit actor `guest:<guestId>`).
import type { Role } from './common.js';

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
      readonly guestId: string;
      readonly sessionId: string;
      readonly caseId: string | null;
      readonly displayName: string;
    };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;
export type GuestPrincipal = Extract<Principal, { kind: 'guest' }>;
