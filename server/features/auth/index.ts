// The auth feature's public surface: accounts, passwords, login sessions, rate limits, the cookie.
export { AuthPurger } from './AuthPurger.js';
export { embeddedAuthState, redisAuthState, type AuthState } from './auth-state.js';
export { cookieAuthenticator } from './cookie-authenticator.js';
export { clearedSessionCookie, SESSION_COOKIE, sessionCookie, sessionTokenFrom } from './cookies.js';
export { hashToken, LoginSessions } from './LoginSessions.js';
export { LoginGuard } from './LoginGuard.js';
export { issueEnrolmentCodeAudited, redeemEnrolmentAudited } from './enrolment-steps.js';
export { PinEnrolments } from './PinEnrolments.js';
export { RateLimiter } from './RateLimiter.js';
export { authRoutes, describePrincipal } from './routes.js';
export { toPrincipal, UserService } from './UserService.js';
