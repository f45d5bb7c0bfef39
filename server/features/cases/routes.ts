// Cases: opened by the originating clerk, accepted or rejected by the handling site, cancelled by
// the originating site; invitations bring the applicant into the case's session (POST /api/join).
import { z } from 'zod';
import { authorize, type Action } from '../../kernel/policy.js';
import { caseStatuses } from './case-state.js';
import type { CaseService, CaseSummary } from './CaseService.js';
import { actorOf, type Principal } from '../../kernel/principal.js';
import { ConflictError } from '../../kernel/errors.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { idParams, paging, slug } from '../../http/schemas.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { Database } from '../../kernel/store/Database.js';
import { sessionCookie, type LoginSessions, type RateLimiter } from '../auth/index.js';
import type { SessionService } from '../sessions/index.js';
import type { InvitationService } from './InvitationService.js';

export interface CaseRoutesDeps {
  readonly db: Database;
  readonly audit: AuditLog;
  readonly loginSessions: LoginSessions;
  readonly limiters: { readonly join: RateLimiter };
  readonly cases: CaseService;
  readonly sessions: SessionService;
  readonly invitations: InvitationService;
  /** The public https URL (invitation links). */
  baseUrl(): string;
}

const ref = z.object({ id: z.string(), name: z.string() });
export const caseSummarySchema = z.object({
  id: z.string().uuid(),
  number: z.string(),
  status: z.enum(caseStatuses),
  matter: ref,
  originatingSite: ref,
  handlingSite: ref,
  partnershipId: z.string(),
  applicant: z.object({ name: z.string(), idMasked: z.string(), phoneMasked: z.string().nullable() }),
  createdBy: z.string(),
  acceptedBy: z.string().nullable(),
  sessionId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const newCaseBody = z
  .object({
    matterId: slug,
    handlingSite: slug,
    applicant: z
      .object({
        name: z.string().trim().min(1).max(64),
        idNumber: z
          .string()
          .trim()
          .regex(/^\d{17}[\dXx]$/, 'expected an 18-character resident ID number'),
        phone: z
          .string()
          .regex(/^\+?[\d\s-]{6,20}$/, 'expected a phone number')
          .optional(),
      })
      .strict(),
  })
  .strict();

const reasonBody = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict().optional();

/** Loads the case (404) and checks the policy action against its sites (403). */
export function caseFor(deps: { readonly cases: CaseService }, principal: Principal | undefined, action: Action, id: string): CaseSummary {
  const c = deps.cases.get(id);
  authorize(principal, action, { case: c });
  return c;
}

export function caseRoutes(deps: CaseRoutesDeps): RouteModule {
  return {
  name: 'cases',
  register(api) {
    api.route({
      method: 'post',
      path: '/api/cases',
      summary: 'Open a case for an applicant and send it to a partner site',
      tag: 'cases',
      access: 'case.create',
      body: newCaseBody,
      status: 201,
      response: z.object({ id: z.string().uuid(), number: z.string(), status: z.enum(caseStatuses) }),
      handler: ({ principal, body }) => {
        const c = deps.cases.create(principal, body);
        return { id: c.id, number: c.number, status: c.status };
      },
    });

    api.route({
      method: 'get',
      path: '/api/cases',
      summary: "Cases of a site (clerks: their own site's queue and outgoing cases)",
      tag: 'cases',
      access: 'case.list',
      query: z.object({ status: z.enum(caseStatuses).optional(), site: slug.optional(), ...paging }).strict(),
      response: z.object({ cases: z.array(caseSummarySchema), total: z.number().int() }),
      handler: ({ principal, query }) => {
        const site = query.site ?? (principal?.kind === 'user' && principal.role === 'clerk' ? (principal.siteId ?? undefined) : undefined);
        authorize(principal, 'case.list', { siteId: site });
        return deps.cases.list({ ...query, site });
      },
    });

    api.route({
      method: 'get',
      path: '/api/cases/:id',
      summary: 'One case with its history',
      tag: 'cases',
      access: 'case.read',
      params: idParams,
      response: caseSummarySchema.extend({
        history: z.array(z.object({ at: z.string(), actor: z.string(), from: z.string().nullable(), to: z.string(), note: z.string().nullable() })),
      }),
      handler: ({ principal, params }) => {
        const c = caseFor(deps, principal, 'case.read', params.id);
        return { ...c, history: deps.cases.history(c.id) };
      },
    });

    api.route({
      method: 'post',
      path: '/api/cases/:id/accept',
      summary: 'Take a queued case: starts its video session',
      tag: 'cases',
      access: 'case.accept',
      params: idParams,
      response: z.object({ sessionId: z.string().uuid(), status: z.enum(caseStatuses) }),
      handler: ({ principal, params }) => {
        caseFor(deps, principal, 'case.accept', params.id);
        const { case: c, sessionId } = deps.cases.accept(principal, params.id);
        return { sessionId, status: c.status };
      },
    });

    for (const [verb, action, to] of [
      ['reject', 'case.reject', 'rejected'],
      ['cancel', 'case.cancel', 'cancelled'],
    ] as const) {
      api.route({
        method: 'post',
        path: `/api/cases/:id/${verb}`,
        summary: verb === 'reject' ? 'Decline a queued case (handling site)' : 'Withdraw a case (originating site)',
        tag: 'cases',
        access: action,
        params: idParams,
        body: reasonBody,
        response: z.object({ id: z.string(), status: z.enum(caseStatuses) }),
        handler: ({ principal, params, body }) => {
          caseFor(deps, principal, action, params.id);
          const c = deps.cases.transition(principal, params.id, to, body?.reason ?? null);
          return { id: c.id, status: c.status };
        },
      });
    }

    api.route({
      method: 'post',
      path: '/api/cases/:id/invitations',
      summary: "A one-time, expiring code that lets the applicant into the case's session",
      tag: 'cases',
      access: 'case.invite',
      params: idParams,
      status: 201,
      response: z.object({ code: z.string(), url: z.string().url(), sessionId: z.string(), expiresAt: z.string() }),
      handler: ({ principal, params }) => {
        const c = caseFor(deps, principal, 'case.invite', params.id);
        const session = deps.sessions.openForCase(c.id);
        if (c.status !== 'in_session' || !session) throw new ConflictError('the case has no open session to invite to', 'no_open_session');
        const invitation = deps.invitations.create({ sessionId: session.id, caseId: c.id, createdBy: principal.userId });
        deps.audit.append({
          actor: actorOf(principal),
          action: 'invitation.created',
          target: `case:${c.id}`,
          siteId: principal.siteId,
          details: { session: session.id, expiresAt: invitation.expiresAt },
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
      method: 'post',
      path: '/api/join',
      summary: 'Redeem an invitation code: a guest session cookie for that one video session',
      tag: 'sessions',
      access: 'public',
      body: z.object({ code: z.string().trim().min(4).max(32) }).strict(),
      response: z.object({ sessionId: z.string(), caseId: z.string().nullable(), displayName: z.string() }),
      handler: ({ req, res, body }) => {
        // Counts guesses per address; a redeemed code clears the count (a desk joins many applicants).
        const address = req.socket.remoteAddress ?? '?';
        deps.limiters.join.consume(address);
        const { sessionId, caseId } = deps.invitations.redeem(body.code);
        deps.limiters.join.reset(address);
        const displayName = caseId ? deps.cases.get(caseId).applicant.name : '申请人';
        const token = deps.db.transaction(() => {
          const guestToken = deps.loginSessions.start({ kind: 'guest', sessionId, caseId, displayName });
          deps.sessions.addParticipant(sessionId, { guestId: sessionId, displayName, role: 'applicant' });
          return guestToken;
        });
        deps.audit.append({ actor: actorOf({ kind: 'guest', sessionId, caseId, displayName }), action: 'session.guest_joined', target: `session:${sessionId}`, details: { case: caseId ?? undefined } });
        res.setHeader('Set-Cookie', sessionCookie(token, deps.loginSessions.ttlMs));
        return { sessionId, caseId, displayName };
      },
    });
  },
};
}
