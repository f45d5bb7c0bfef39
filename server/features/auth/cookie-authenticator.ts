// The transports' Authenticator over login sessions and the session cookie.
import type { Authenticator } from '../../kernel/authenticator.js';
import { sessionTokenFrom } from './cookies.js';
import { hashToken, type LoginSessions } from './LoginSessions.js';

export function cookieAuthenticator(sessions: LoginSessions): Authenticator {
  return {
    async fromCookie(cookieHeader) {
      const token = sessionTokenFrom(cookieHeader);
      const found = await sessions.lookup(token);
      return found && token
        ? { principal: found.principal, sessionKey: hashToken(token), mustChangePassword: found.mustChangePassword }
        : undefined;
    },
    onRevoke(listener) {
      return sessions.onRevoke((which) => listener('tokenHash' in which ? { sessionKey: which.tokenHash } : which));
    },
  };
}
