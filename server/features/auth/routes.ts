// Login, logout and "who am I". Failed logins are rate limited per username and client address
// and audited (never with the password).
import { clearedSessionCookie, sessionCookie, sessionTokenFrom } from './cookies.js';
import { actorOf, type Principal } from '../../kernel/principal.js';
import { UnauthenticatedError } from '../../kernel/errors.js';
import type { RouteModule } from '../../http/RouteModule.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { CatalogService } from '../catalog/index.js';
import type { LoginSessions } from './LoginSessions.js';
import type { RateLimiter } from './RateLimiter.js';
import type { UserService } from './UserService.js';
import { getMe, login, logout, type Me } from '../../../protocol/http/auth.js';

export interface AuthRoutesDeps {
  readonly audit: AuditLog;
  readonly catalog: CatalogService;
  readonly users: UserService;
  readonly loginSessions: LoginSessions;
  readonly limiters: { readonly login: RateLimiter };
}

export function describePrincipal(deps: { readonly catalog: CatalogService }, p: Principal): Me {
  if (p.kind === 'guest')
    return { kind: 'guest', guestId: p.guestId, sessionId: p.sessionId, caseId: p.caseId, displayName: p.displayName };
  const site = p.siteId ? deps.catalog.site(p.siteId) : null;
  return {
    kind: 'user',
    id: p.userId,
    username: p.username,
    displayName: p.displayName,
    role: p.role,
    site: site && { id: site.id, name: site.name },
  };
}

export function authRoutes(deps: AuthRoutesDeps): RouteModule {
  return {
    name: 'auth',
    register(api) {
      api.route({
        ...login,
        summary: 'Log in with username and password; sets the session cookie',
        tag: 'auth',
        access: 'public',
        handler: async ({ req, res, body }) => {
          const limiterKey = `${body.username.toLowerCase()}|${req.socket.remoteAddress ?? '?'}`;
          deps.limiters.login.consume(limiterKey);
          const user = await deps.users.authenticate(body.username, body.password);
          if (!user) {
            deps.audit.append({
              actor: 'anonymous',
              action: 'auth.login_failed',
              details: { username: body.username.slice(0, 64) },
            });
            throw new UnauthenticatedError('wrong username or password');
          }
          deps.limiters.login.reset(limiterKey);
          const token = deps.loginSessions.start({ kind: 'user', userId: user.id });
          deps.audit.append({
            actor: `user:${user.id}`,
            action: 'auth.login',
            target: `user:${user.id}`,
            siteId: user.siteId,
          });
          res.setHeader('Set-Cookie', sessionCookie(token, deps.loginSessions.ttlMs));
          const principal = deps.loginSessions.resolve(token);
          if (!principal) throw new UnauthenticatedError();
          return { user: describePrincipal(deps, principal) };
        },
      });

      api.route({
        ...logout,
        summary: 'End the current session and clear the cookie',
        tag: 'auth',
        access: 'public',
        handler: ({ req, res, principal }) => {
          const token = sessionTokenFrom(req.headers.cookie);
          if (token) deps.loginSessions.revoke(token);
          if (principal) deps.audit.append({ actor: actorOf(principal), action: 'auth.logout' });
          res.setHeader('Set-Cookie', clearedSessionCookie());
          return { ok: true as const };
        },
      });

      api.route({
        ...getMe,
        summary: 'The signed-in user or applicant guest',
        tag: 'auth',
        access: 'signed-in',
        handler: ({ principal }) => describePrincipal(deps, principal),
      });
    },
  };
}
