// Video sessions: applicants join with an invitation code; participants (and auditors) read them.
import { z } from 'zod';
import { sessionCookie } from '../auth/cookies.js';
import { authorize } from '../../kernel/policy.js';
import { actorOf } from '../../kernel/principal.js';
import { FlowServices } from '../../app/FlowServices.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { idParams } from '../../http/schemas.js';

const sessionSchema = z.object({
  id: z.string(),
  kind: z.enum(['case', 'ceremony']),
  caseId: z.string().nullable(),
  ceremonyId: z.string().nullable(),
  status: z.enum(['open', 'ended']),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** The session's current flow document (identity confirmation or agreement), once there is one. */
  documentId: z.string().nullable(),
  participants: z.array(
    z.object({
      participantId: z.string(),
      userId: z.string().nullable(),
      guest: z.boolean(),
      displayName: z.string(),
      role: z.string(),
      addedAt: z.string(),
    }),
  ),
});

function currentDocumentId(flows: FlowServices, session: { caseId: string | null; ceremonyId: string | null }): string | null {
  if (session.caseId) return flows.documents.forCase(session.caseId).at(-1)?.id ?? null;
  if (session.ceremonyId) return flows.documents.forCeremony(session.ceremonyId)?.id ?? null;
  return null;
}

export const sessionRoutes: RouteModule = {
  name: 'sessions',
  register(api, ctx) {
    api.route({
      method: 'get',
      path: '/api/sessions/:id',
      summary: 'A video session and its participants',
      tag: 'sessions',
      access: 'session.read',
      params: idParams,
      response: sessionSchema,
      handler: ({ principal, params }) => {
        const session = ctx.sessions.get(params.id);
        authorize(principal, 'session.read', { participant: ctx.sessions.isParticipant(principal!, session) });
        return { ...session, documentId: currentDocumentId(FlowServices.for(ctx), session) };
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
        ctx.limiters.join.consume(address);
        const { sessionId, caseId } = ctx.invitations.redeem(body.code);
        ctx.limiters.join.reset(address);
        const displayName = caseId ? ctx.cases.get(caseId).applicant.name : '申请人';
        const token = ctx.db.transaction(() => {
          const guestToken = ctx.loginSessions.start({ kind: 'guest', sessionId, caseId, displayName });
          ctx.sessions.addParticipant(sessionId, { guestId: sessionId, displayName, role: 'applicant' });
          return guestToken;
        });
        const principal = ctx.loginSessions.resolve(token)!;
        ctx.audit.append({ actor: actorOf(principal), action: 'session.guest_joined', target: `session:${sessionId}`, details: { case: caseId ?? undefined } });
        res.setHeader('Set-Cookie', sessionCookie(token, ctx.loginSessions.ttlMs));
        return { sessionId, caseId, displayName };
      },
    });
  },
};
