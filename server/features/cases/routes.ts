// Cases: opened by the originating clerk, accepted or rejected by the handling site, cancelled by
// the originating site; invitations bring the applicant into the case's session (POST /api/join).
import { authorize, type Action } from '../../kernel/policy.js';
import type { CaseService, CaseSummary } from './CaseService.js';
import { actorOf, guestActor, type Principal } from '../../kernel/principal.js';
import { ConflictError } from '../../kernel/errors.js';
import type { RouteModule } from '../../http/RouteModule.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import { sessionCookie, type LoginSessions, type RateLimiter } from '../auth/index.js';
import type { SessionService } from '../sessions/index.js';
import type { InvitationService } from './InvitationService.js';
import {
  acceptCase,
  cancelCase,
  createCase,
  createInvitation,
  getCase,
  listCases,
  rejectCase,
} from '../../../protocol/http/cases.js';
import { joinSession } from '../../../protocol/http/sessions.js';

export interface CaseRoutesDeps {
  readonly audit: AuditLog;
  readonly loginSessions: LoginSessions;
  readonly limiters: { readonly join: RateLimiter };
  readonly cases: CaseService;
  readonly sessions: SessionService;
  readonly invitations: InvitationService;
  /** The public https URL (invitation links). */
  baseUrl(): string;
}

/** Loads the case (404) and checks the policy action against its sites (403). */
export async function caseFor(
  deps: { readonly cases: CaseService },
  principal: Principal | undefined,
  action: Action,
  id: string,
): Promise<CaseSummary> {
  const c = await deps.cases.get(id);
  authorize(principal, action, { case: c });
  return c;
}

export function caseRoutes(deps: CaseRoutesDeps): RouteModule {
  return {
    name: 'cases',
    register(api) {
      api.route({
        ...createCase,
        summary: 'Open a case for an applicant and send it to a partner site',
        tag: 'cases',
        access: 'case.create',
        handler: async ({ principal, body }) => {
          const c = await deps.cases.create(principal, body);
          return { id: c.id, number: c.number, status: c.status };
        },
      });

      api.route({
        ...listCases,
        summary: "Cases of a site (clerks: their own site's queue and outgoing cases)",
        tag: 'cases',
        access: 'case.list',
        personalData: { what: 'case list (applicant names)', object: () => 'cases' },
        handler: ({ principal, query }) => {
          const site =
            query.site ??
            (principal?.kind === 'user' && principal.role === 'clerk' ? (principal.siteId ?? undefined) : undefined);
          authorize(principal, 'case.list', { siteId: site });
          return deps.cases.list({ ...query, site });
        },
      });

      api.route({
        ...getCase,
        summary: 'One case with its history',
        tag: 'cases',
        access: 'case.read',
        personalData: { what: 'case detail (applicant name, masked ID)', object: (p) => `case:${p.id}` },
        handler: async ({ principal, params }) => {
          const c = await caseFor(deps, principal, 'case.read', params.id);
          return { ...c, history: await deps.cases.history(c.id) };
        },
      });

      api.route({
        ...acceptCase,
        summary: 'Take a queued case: starts its video session',
        tag: 'cases',
        access: 'case.accept',
        handler: async ({ principal, params }) => {
          await caseFor(deps, principal, 'case.accept', params.id);
          const { case: c, sessionId } = await deps.cases.accept(principal, params.id);
          return { sessionId, status: c.status };
        },
      });

      for (const [contract, summary, action, to] of [
        [rejectCase, 'Decline a queued case (handling site)', 'case.reject', 'rejected'],
        [cancelCase, 'Withdraw a case (originating site)', 'case.cancel', 'cancelled'],
      ] as const) {
        api.route({
          ...contract,
          summary,
          tag: 'cases',
          access: action,
          handler: async ({ principal, params, body }) => {
            await caseFor(deps, principal, action, params.id);
            const c = await deps.cases.transition(principal, params.id, to, body?.reason ?? null);
            return { id: c.id, status: c.status };
          },
        });
      }

      api.route({
        ...createInvitation,
        summary: "A one-time, expiring code that lets the applicant into the case's session",
        tag: 'cases',
        access: 'case.invite',
        handler: async ({ principal, params }) => {
          const c = await caseFor(deps, principal, 'case.invite', params.id);
          const session = await deps.sessions.openForCase(c.id);
          if (c.status !== 'in_session' || !session)
            throw new ConflictError('the case has no open session to invite to', 'no_open_session');
          const invitation = await deps.invitations.create({
            sessionId: session.id,
            caseId: c.id,
            createdBy: principal.userId,
          });
          await deps.audit.append({
            actor: actorOf(principal),
            action: 'invitation.created',
            target: `case:${c.id}`,
            siteId: principal.siteId,
            details: {
              session: session.id,
              guest: guestActor(invitation.id),
              expiresAt: invitation.expiresAt,
              revokedUnused: invitation.revoked,
            },
          });
          return {
            code: invitation.code,
            url: `${deps.baseUrl()}/join/${invitation.code}`,
            sessionId: session.id,
            expiresAt: invitation.expiresAt,
          };
        },
      });

      api.route({
        ...joinSession,
        summary: 'Redeem an invitation code: a guest session cookie for that one video session',
        tag: 'sessions',
        access: 'public',
        handler: async ({ req, res, body }) => {
          // Counts guesses per address; a redeemed code clears the count (a desk joins many applicants).
          const address = req.socket.remoteAddress ?? '?';
          await deps.limiters.join.consume(address);
          const guest = await deps.invitations.redeem(body.code, async (caseId) =>
            caseId ? (await deps.cases.get(caseId)).applicant.name : '申请人',
          );
          // The login may live in another store (Redis): it is written once the code is spent.
          const token = await deps.loginSessions.start({ kind: 'guest', ...guest });
          await deps.limiters.join.reset(address);
          const { guestId, sessionId, caseId, displayName } = guest;
          await deps.audit.append({
            actor: guestActor(guestId),
            action: 'session.guest_joined',
            target: `session:${sessionId}`,
            details: { case: caseId ?? undefined },
          });
          res.setHeader('Set-Cookie', sessionCookie(token, deps.loginSessions.ttlMs));
          return { guestId, sessionId, caseId, displayName };
        },
      });
    },
  };
}
