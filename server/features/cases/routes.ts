// Cases: opened by the originating clerk, accepted or rejected by the handling site, cancelled by
// the originating site; invitations bring the applicant into the case's session.
import { z } from 'zod';
import { authorize } from '../../kernel/policy.js';
import { caseStatuses } from './case-state.js';
import type { CaseSummary } from './CaseService.js';
import { actorOf, type Principal, type UserPrincipal } from '../../kernel/principal.js';
import { ConflictError } from '../../kernel/errors.js';
import type { AppContext } from '../../app/context.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { idParams, paging, slug } from '../../http/schemas.js';

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
export function caseFor(ctx: AppContext, principal: Principal | undefined, action: string, id: string): CaseSummary {
  const c = ctx.cases.get(id);
  authorize(principal, action, { case: c });
  return c;
}

export const caseRoutes: RouteModule = {
  name: 'cases',
  register(api, ctx) {
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
        const c = ctx.cases.create(principal as UserPrincipal, body);
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
        return ctx.cases.list({ ...query, site });
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
        const c = caseFor(ctx, principal, 'case.read', params.id);
        return { ...c, history: ctx.cases.history(c.id) };
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
        caseFor(ctx, principal, 'case.accept', params.id);
        const { case: c, sessionId } = ctx.cases.accept(principal as UserPrincipal, params.id);
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
          caseFor(ctx, principal, action, params.id);
          const c = ctx.cases.transition(principal as UserPrincipal, params.id, to, body?.reason ?? null);
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
        const c = caseFor(ctx, principal, 'case.invite', params.id);
        const session = ctx.sessions.openForCase(c.id);
        if (c.status !== 'in_session' || !session) throw new ConflictError('the case has no open session to invite to', 'no_open_session');
        const p = principal as UserPrincipal;
        const invitation = ctx.invitations.create({ sessionId: session.id, caseId: c.id, createdBy: p.userId });
        ctx.audit.append({
          actor: actorOf(p),
          action: 'invitation.created',
          target: `case:${c.id}`,
          siteId: p.siteId,
          details: { session: session.id, expiresAt: invitation.expiresAt },
        });
        return {
          code: invitation.code,
          url: `${ctx.baseUrl()}/join/${invitation.code}`,
          sessionId: session.id,
          expiresAt: invitation.expiresAt,
        };
      },
    });
  },
};
