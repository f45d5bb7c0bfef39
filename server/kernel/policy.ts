// Who may do what, in one static table. A rule names the kinds of principal allowed and,
// optionally, a scope check against the resource (the case's sites, session membership). Routes
// and socket events call `authorize`: without a resource only the role is checked (a route's first
// gate), with one the scope too. The finer checks of a flow (whose turn, which clerk handles the
// case, who hosts) live in that feature's service.
import { ForbiddenError, UnauthenticatedError } from './errors.js';
import type { GuestPrincipal, Principal, Role, UserPrincipal } from './principal.js';

export type Who = Role | 'guest';

/** What a scope check may look at; callers fill in what they have. */
export interface PolicyResource {
  /** The case's two sites and its two clerks (who opened it, who accepted it). */
  readonly case?: {
    readonly originatingSite: { readonly id: string };
    readonly handlingSite: { readonly id: string };
    readonly createdBy?: string;
    readonly acceptedBy?: string | null;
  };
  /** Whether the principal is a participant of the session in question. */
  readonly participant?: boolean;
  /** A site named by the request (e.g. the `site` filter of a list). */
  readonly siteId?: string;
}

type Scope = (principal: Principal, resource: PolicyResource) => boolean;

interface Rule<W extends Who> {
  readonly who: readonly W[];
  /** Resource-level check; true when absent. Receives only principals listed in `who`. */
  readonly scope?: Scope;
}

const rule = <const W extends Who>(who: readonly W[], scope?: Scope): Rule<W> => ({ who, scope });

const siteOf = (p: Principal): string | null => (p.kind === 'user' ? p.siteId : null);
const atEitherSite: Scope = (p, r) =>
  r.case !== undefined && (siteOf(p) === r.case.originatingSite.id || siteOf(p) === r.case.handlingSite.id);
const atHandlingSite: Scope = (p, r) => r.case?.handlingSite.id === siteOf(p);
const atOriginatingSite: Scope = (p, r) => r.case?.originatingSite.id === siteOf(p);
// The originating clerk (opened the case) or the handling clerk (accepted it): not any clerk of the sites.
const caseClerk: Scope = (p, r) =>
  atEitherSite(p, r) && p.kind === 'user' && (r.case?.createdBy === p.userId || r.case?.acceptedBy === p.userId);
const participant: Scope = (_p, r) => r.participant === true;
const unless =
  (reviewers: readonly Who[], check: Scope): Scope =>
  (p, r) =>
    reviewers.includes(whoOf(p)) || check(p, r);

export const policies = {
  'catalog.read': rule(['clerk', 'official', 'auditor', 'admin']),
  /** One's own account (password change). */
  'account.self': rule(['clerk', 'official', 'auditor', 'admin']),
  /** One's own signing PIN (enrolment, change): the staff who sign. */
  'account.pin': rule(['clerk', 'official']),
  'case.create': rule(['clerk']),
  'case.list': rule(
    ['clerk', 'auditor'],
    unless(['auditor'], (p, r) => r.siteId === siteOf(p)),
  ),
  'case.read': rule(['clerk', 'auditor'], unless(['auditor'], atEitherSite)),
  'case.accept': rule(['clerk'], atHandlingSite),
  'case.reject': rule(['clerk'], atHandlingSite),
  'case.cancel': rule(['clerk'], atOriginatingSite),
  'case.invite': rule(['clerk'], caseClerk),
  'case.archive': rule(['clerk'], atHandlingSite),
  'snapshot.create': rule(['clerk'], atHandlingSite),
  'identity.confirm': rule(['clerk'], atHandlingSite),
  // Face match and liveness advice (issue 15 §3): the handling clerk runs them and records a decision.
  'face.check': rule(['clerk'], atHandlingSite),
  'session.read': rule(['clerk', 'official', 'auditor', 'guest'], unless(['auditor'], participant)),
  'session.join': rule(['clerk', 'official', 'guest'], participant),
  /** A screen or window shared into the session's room (issue 15 §5): either clerk, not the applicant. */
  'media.screen_share': rule(['clerk'], participant),
  'document.read': rule(['clerk', 'official', 'auditor', 'admin', 'guest'], unless(['auditor', 'admin'], participant)),
  'document.sign': rule(['clerk', 'official', 'guest'], participant),
  'ceremony.create': rule(['official', 'clerk']),
  'ceremony.read': rule(['official', 'clerk', 'auditor', 'admin'], unless(['auditor', 'admin'], participant)),
  'ceremony.sign': rule(['official', 'clerk'], participant),
  'ceremony.host': rule(['official', 'clerk'], participant),
  'record.read': rule(['auditor', 'admin']),
  'record.hold': rule(['admin']),
  'record.delete': rule(['admin']),
  'evidence.export': rule(['auditor', 'admin']),
  /** The retention console: auditors read the settings and the deletion preview; admins change and run. */
  'retention.read': rule(['auditor', 'admin']),
  'retention.manage': rule(['admin']),
  'admin.read': rule(['admin']),
  'admin.write': rule(['admin']),
  'audit.read': rule(['auditor', 'admin']),
  /** The applicant asks for its rating token (the service checks it is this case's applicant). */
  'rating.token': rule(['guest']),
  /** Statistics and the 好差评 export: platform-wide, like records (auditors and admins have no site). */
  'stats.read': rule(['auditor', 'admin']),
  // Verifying a whole search result is an audit office task (issue 16 §3).
  'record.verify_batch': rule(['auditor']),
  // Issue 15: the handling clerk runs the 意愿确认 script; the case's applicant, staff of either site
  // and auditors read it; the originating clerk captures materials.
  'script.run': rule(['clerk'], atHandlingSite),
  'script.read': rule(['clerk', 'auditor', 'guest'], (p, r) =>
    p.kind === 'guest' ? r.participant === true : whoOf(p) === 'auditor' || atEitherSite(p, r),
  ),
  'material.create': rule(['clerk'], atOriginatingSite),
} as const satisfies Record<string, Rule<Who>>;

export type Action = keyof typeof policies;

/** The principal an action admits: staff of the listed roles, and guests when guests are listed. */
export type PrincipalFor<A extends Action> =
  | (Exclude<(typeof policies)[A]['who'][number], 'guest'> extends infer R
      ? [R] extends [never]
        ? never
        : UserPrincipal & { readonly role: R }
      : never)
  | ('guest' extends (typeof policies)[A]['who'][number] ? GuestPrincipal : never);

export function whoOf(principal: Principal): Who {
  return principal.kind === 'guest' ? 'guest' : principal.role;
}

/** True when the principal may do `action` (to `resource`, when given). */
export function can(
  principal: Principal | undefined,
  action: Action,
  resource?: PolicyResource,
): principal is PrincipalFor<typeof action> {
  const r: Rule<Who> = policies[action];
  if (!principal || !r.who.includes(whoOf(principal))) return false;
  return resource === undefined || r.scope === undefined || r.scope(principal, resource);
}

/** Throws 401 without a principal and 403 when the policy says no; narrows the principal. */
export function authorize<A extends Action>(
  principal: Principal | undefined,
  action: A,
  resource?: PolicyResource,
): asserts principal is PrincipalFor<A> {
  if (!principal) throw new UnauthenticatedError();
  if (!can(principal, action, resource)) throw new ForbiddenError();
}
