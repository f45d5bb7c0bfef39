// Who may do what, in one place. A rule names the kinds of principal allowed and, optionally, a
// scope check against the resource (the case's sites, session membership). Routes and socket
// events call `authorize`; without a resource only the role is checked (a route's first gate),
// with one the scope too. The flows register their own actions with `definePolicy`.
import { ForbiddenError, UnauthenticatedError } from './errors.js';
import type { Principal, Role } from './principal.js';

export type Who = Role | 'guest';

/** What a scope check may look at; callers fill in what they have. */
export interface PolicyResource {
  /** The case's two sites. */
  readonly case?: { readonly originatingSite: { readonly id: string }; readonly handlingSite: { readonly id: string } };
  /** Whether the principal is a participant of the session in question. */
  readonly participant?: boolean;
  /** A site named by the request (e.g. the `site` filter of a list). */
  readonly siteId?: string;
}

export interface Rule {
  readonly who: readonly Who[];
  /** Resource-level check; true when absent. Receives only principals listed in `who`. */
  readonly scope?: (principal: Principal, resource: PolicyResource) => boolean;
}

const siteOf = (p: Principal): string | null => (p.kind === 'user' ? p.siteId : null);
const atEitherSite = (p: Principal, r: PolicyResource) =>
  r.case !== undefined && (siteOf(p) === r.case.originatingSite.id || siteOf(p) === r.case.handlingSite.id);
const unlessAuditor = (check: (p: Principal, r: PolicyResource) => boolean) => (p: Principal, r: PolicyResource) =>
  whoOf(p) === 'auditor' || check(p, r);
const staff: readonly Who[] = ['clerk', 'official', 'auditor', 'admin'];

const rules = new Map<string, Rule>(
  Object.entries({
    'catalog.read': { who: staff },
    'case.create': { who: ['clerk'] },
    'case.list': { who: ['clerk', 'auditor'], scope: unlessAuditor((p, r) => r.siteId === siteOf(p)) },
    'case.read': { who: ['clerk', 'auditor'], scope: unlessAuditor(atEitherSite) },
    'case.accept': { who: ['clerk'], scope: (p, r) => r.case?.handlingSite.id === siteOf(p) },
    'case.reject': { who: ['clerk'], scope: (p, r) => r.case?.handlingSite.id === siteOf(p) },
    'case.cancel': { who: ['clerk'], scope: (p, r) => r.case?.originatingSite.id === siteOf(p) },
    'case.invite': { who: ['clerk'], scope: atEitherSite },
    'session.read': { who: ['clerk', 'official', 'auditor', 'guest'], scope: unlessAuditor((_p, r) => r.participant === true) },
    'session.join': { who: ['clerk', 'official', 'guest'], scope: (_p, r) => r.participant === true },
    'admin.read': { who: ['admin'] },
    'admin.write': { who: ['admin'] },
    'audit.read': { who: ['auditor', 'admin'] },
  } satisfies Record<string, Rule>),
);

/** Adds an action (e.g. 'document.sign'); redefining an existing one is a programming error. */
export function definePolicy(action: string, rule: Rule): void {
  if (rules.has(action)) throw new Error(`policy ${action} is already defined`);
  rules.set(action, rule);
}

export function whoOf(principal: Principal): Who {
  return principal.kind === 'guest' ? 'guest' : principal.role;
}

/** True when the principal may do `action` (to `resource`, when given). */
export function can(principal: Principal | undefined, action: string, resource?: PolicyResource): boolean {
  const rule = rules.get(action);
  if (!rule) throw new Error(`no policy for ${action}`);
  if (!principal || !rule.who.includes(whoOf(principal))) return false;
  return resource === undefined || rule.scope === undefined || rule.scope(principal, resource);
}

/** Throws 401 without a principal and 403 when the policy says no; narrows the principal. */
export function authorize(principal: Principal | undefined, action: string, resource?: PolicyResource): asserts principal is Principal {
  if (!principal) throw new UnauthenticatedError();
  if (!can(principal, action, resource)) throw new ForbiddenError();
}
