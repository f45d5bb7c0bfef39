// The transports' Authenticator over login sessions and the session cookie.
import type { Authenticator } from '../../kernel/authenticator.js';
import { sessionTokenFrom } from './cookies.js';
import { hashToken, type LoginSessions } from './LoginSessions.js';

export function cookieAuthenticator(sessions: LoginSessions): Authenticator {
  return {
    fromCookie(cookieHeader) {
      const token = sessionTokenFrom(cookieHeader);
      const principal = sessions.resolve(token);
      return principal && token ? { principal, sessionKey: hashToken(token) } : undefined;
    },
    onRevoke(listener) {
      return sessions.onRevoke((which) => listener('tokenHash' in which ? { sessionKey: which.tokenHash } : which));
    },
  };
}
