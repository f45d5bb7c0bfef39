// Login, logout, "who am I", and one's own account. Every login attempt passes the LoginGuard
// (per address, per account with backoff and lock, a global budget); every failed, throttled and
// locked attempt is audited with the source address (never the password). A user whose password
// an admin set must change it before anything else; clerks and officials choose their signing PIN
// with an enrolment code from an admin and change it with the old one.
import type { Request, Response } from 'express';
import { clearedSessionCookie, sessionCookie, sessionTokenFrom } from './cookies.js';
import { actorOf, type Principal } from '../../kernel/principal.js';
import { AppError, UnauthenticatedError } from '../../kernel/errors.js';
import type { RouteModule } from '../../http/RouteModule.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { CatalogService } from '../catalog/index.js';
import type { LoginGuard } from './LoginGuard.js';
import type { LoginSessions } from './LoginSessions.js';
import type { PinEnrolments } from './PinEnrolments.js';
import { redeemEnrolmentAudited } from './enrolment-steps.js';
import type { RateLimiter } from './RateLimiter.js';
import type { User, UserService } from './UserService.js';
import { changePassword, changePin, enrolPin, getMe, login, logout, type Me } from '../../../protocol/http/auth.js';

export interface AuthRoutesDeps {
  readonly audit: AuditLog;
  readonly catalog: CatalogService;
  readonly users: UserService;
  readonly loginSessions: LoginSessions;
  readonly loginGuard: LoginGuard;
  readonly enrolments: PinEnrolments;
  readonly pki: { changeUserPin(userId: string, oldPin: string, newPin: string): Promise<void> };
  readonly limiters: { readonly pin: RateLimiter };
}

export async function describePrincipal(
  deps: { readonly catalog: CatalogService },
  p: Principal,
  mustChangePassword = false,
): Promise<Me> {
  if (p.kind === 'guest')
    return { kind: 'guest', guestId: p.guestId, sessionId: p.sessionId, caseId: p.caseId, displayName: p.displayName };
  const site = p.siteId ? await deps.catalog.site(p.siteId) : null;
  return {
    kind: 'user',
    id: p.userId,
    username: p.username,
    displayName: p.displayName,
    role: p.role,
    site: site && { id: site.id, name: site.name },
    ...(mustChangePassword ? { mustChangePassword: true } : {}),
  };
}

export class WrongPasswordError extends AppError {
  constructor() {
    super('wrong_password', 'the current password is wrong', 403);
  }
}

/** The client's address as the socket sees it (no proxy is trusted, so X-Forwarded-For is ignored). */
const sourceAddress = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

export function authRoutes(deps: AuthRoutesDeps): RouteModule {
  /** A new login session for the user, its cookie set, and the user as /api/me shows them. */
  const startSession = async (res: Response, user: User) => {
    const token = await deps.loginSessions.start({ kind: 'user', userId: user.id });
    res.setHeader('Set-Cookie', sessionCookie(token, deps.loginSessions.ttlMs));
    const found = await deps.loginSessions.lookup(token);
    if (!found) throw new UnauthenticatedError();
    return { user: await describePrincipal(deps, found.principal, found.mustChangePassword) };
  };

  return {
    name: 'auth',
    register(api) {
      api.route({
        ...login,
        summary: 'Log in with username and password; sets the session cookie',
        tag: 'auth',
        access: 'public',
        handler: async ({ req, res, body }) => {
          const address = sourceAddress(req);
          const username = body.username.slice(0, 64);
          const attempt = (action: string, details: Record<string, unknown> = {}) =>
            deps.audit.append({ actor: 'anonymous', action, details: { username, address, ...details } });
          const locked = async (until: number | undefined) => {
            if (until !== undefined) await attempt('auth.account_locked', { until: new Date(until).toISOString() });
          };
          const refused = await deps.loginGuard.admit(username, address);
          if (refused) {
            const action = refused.reason === 'account_locked' ? 'auth.login_locked' : 'auth.login_throttled';
            await attempt(action, { reason: refused.reason });
            await locked(refused.lockedUntil);
            throw refused.error;
          }
          const user = await deps.users.authenticate(body.username, body.password);
          if (!user) {
            const lockedUntil = await deps.loginGuard.failed(username);
            await attempt('auth.login_failed');
            await locked(lockedUntil);
            throw new UnauthenticatedError('wrong username or password');
          }
          await deps.loginGuard.succeeded(username, address);
          await deps.audit.append({
            actor: `user:${user.id}`,
            action: 'auth.login',
            target: `user:${user.id}`,
            siteId: user.siteId,
            details: { address },
          });
          return startSession(res, user);
        },
      });

      api.route({
        ...logout,
        summary: 'End the current session and clear the cookie',
        tag: 'auth',
        access: 'public',
        duringPasswordChange: true,
        handler: async ({ req, res, principal }) => {
          const token = sessionTokenFrom(req.headers.cookie);
          if (token) await deps.loginSessions.revoke(token);
          if (principal) await deps.audit.append({ actor: actorOf(principal), action: 'auth.logout' });
          res.setHeader('Set-Cookie', clearedSessionCookie());
          return { ok: true as const };
        },
      });

      api.route({
        ...getMe,
        summary: 'The signed-in user or applicant guest',
        tag: 'auth',
        access: 'signed-in',
        duringPasswordChange: true,
        handler: async ({ req, principal }) =>
          describePrincipal(
            deps,
            principal,
            (await deps.loginSessions.lookup(sessionTokenFrom(req.headers.cookie)))?.mustChangePassword,
          ),
      });

      api.route({
        ...changePassword,
        summary: 'Change one’s own password (the current one required); ends every other session and starts a new one',
        tag: 'auth',
        access: 'account.self',
        duringPasswordChange: true,
        handler: async ({ req, res, principal, body }) => {
          await deps.limiters.pin.consume(`password|${principal.userId}`);
          if (!(await deps.users.checkPassword(principal.userId, body.currentPassword))) {
            await deps.audit.append({
              actor: actorOf(principal),
              action: 'auth.password_change_failed',
              details: { address: sourceAddress(req) },
            });
            throw new WrongPasswordError();
          }
          if (body.newPassword === body.currentPassword)
            throw new AppError('password_reused', 'the new password must differ from the current one', 400);
          const user = await deps.users.setPassword(principal.userId, body.newPassword, true);
          await deps.limiters.pin.reset(`password|${principal.userId}`);
          await deps.loginSessions.revokeUser(user.id);
          await deps.audit.append({
            actor: actorOf(principal),
            action: 'auth.password_changed',
            target: `user:${user.id}`,
          });
          return startSession(res, user);
        },
      });

      api.route({
        ...enrolPin,
        summary:
          'Choose one’s own signing PIN with the one-time enrolment code from an admin; the key is made and wrapped under it',
        tag: 'auth',
        access: 'account.pin',
        handler: ({ req, principal, body }) =>
          redeemEnrolmentAudited(
            { ...deps, pinLimiter: deps.limiters.pin },
            {
              userId: principal.userId,
              actor: actorOf(principal),
              code: body.code,
              pin: body.pin,
              context: { address: sourceAddress(req) },
            },
          ),
      });

      api.route({
        ...changePin,
        summary: 'Change one’s own signing PIN (the current one required); the key is re-wrapped under the new one',
        tag: 'auth',
        access: 'account.pin',
        handler: async ({ principal, body }) => {
          deps.enrolments.assertPinPolicy(body.newPin);
          await deps.limiters.pin.consume(principal.userId);
          await deps.pki.changeUserPin(principal.userId, body.currentPin, body.newPin);
          await deps.limiters.pin.reset(principal.userId);
          await deps.audit.append({
            actor: actorOf(principal),
            action: 'certificate.pin_changed',
            target: `user:${principal.userId}`,
            siteId: principal.siteId,
          });
          return { ok: true as const };
        },
      });
    },
  };
}
