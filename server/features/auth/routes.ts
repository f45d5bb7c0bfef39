// Login, logout and "who am I". Failed logins are rate limited per username and client address
// and audited (never with the password).
import { z } from 'zod';
import { clearedSessionCookie, sessionCookie, sessionTokenFrom } from './cookies.js';
import { actorOf, type Principal } from '../../kernel/principal.js';
import { UnauthenticatedError } from '../../kernel/errors.js';
import type { AppContext } from '../../app/context.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { okResponse } from '../../http/schemas.js';

export const meSchema = z.union([
  z.object({
    kind: z.literal('user'),
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    role: z.enum(['clerk', 'official', 'auditor', 'admin']),
    site: z.object({ id: z.string(), name: z.string() }).nullable(),
  }),
  z.object({ kind: z.literal('guest'), sessionId: z.string(), caseId: z.string().nullable(), displayName: z.string() }),
]);

export function describePrincipal(ctx: AppContext, p: Principal): z.infer<typeof meSchema> {
  if (p.kind === 'guest') return { kind: 'guest', sessionId: p.sessionId, caseId: p.caseId, displayName: p.displayName };
  const site = p.siteId ? ctx.catalog.site(p.siteId) : null;
  return {
    kind: 'user',
    id: p.userId,
    username: p.username,
    displayName: p.displayName,
    role: p.role,
    site: site && { id: site.id, name: site.name },
  };
}

export const authRoutes: RouteModule = {
  name: 'auth',
  register(api, ctx) {
    api.route({
      method: 'post',
      path: '/api/auth/login',
      summary: 'Log in with username and password; sets the session cookie',
      tag: 'auth',
      access: 'public',
      body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict(),
      response: z.object({ user: meSchema }),
      handler: async ({ req, res, body }) => {
        const limiterKey = `${body.username.toLowerCase()}|${req.socket.remoteAddress ?? '?'}`;
        ctx.limiters.login.consume(limiterKey);
        const user = await ctx.users.authenticate(body.username, body.password);
        if (!user) {
          ctx.audit.append({ actor: 'anonymous', action: 'auth.login_failed', details: { username: body.username.slice(0, 64) } });
          throw new UnauthenticatedError('用户名或密码错误 / wrong username or password');
        }
        ctx.limiters.login.reset(limiterKey);
        const token = ctx.loginSessions.start({ kind: 'user', userId: user.id });
        ctx.audit.append({ actor: `user:${user.id}`, action: 'auth.login', target: `user:${user.id}`, siteId: user.siteId });
        res.setHeader('Set-Cookie', sessionCookie(token, ctx.loginSessions.ttlMs));
        const principal = ctx.loginSessions.resolve(token);
        return { user: describePrincipal(ctx, principal!) };
      },
    });

    api.route({
      method: 'post',
      path: '/api/auth/logout',
      summary: 'End the current session and clear the cookie',
      tag: 'auth',
      access: 'public',
      response: okResponse,
      handler: ({ req, res, principal }) => {
        const token = sessionTokenFrom(req.headers.cookie);
        if (token) ctx.loginSessions.revoke(token);
        if (principal) ctx.audit.append({ actor: actorOf(principal), action: 'auth.logout' });
        res.setHeader('Set-Cookie', clearedSessionCookie());
        return { ok: true as const };
      },
    });

    api.route({
      method: 'get',
      path: '/api/me',
      summary: 'The signed-in user or applicant guest',
      tag: 'auth',
      access: 'signed-in',
      response: meSchema,
      handler: ({ principal }) => describePrincipal(ctx, principal!),
    });
  },
};
