// Resolves the session cookie to a Principal once per request and keeps it in res.locals.
import type { RequestHandler, Response } from 'express';
import { sessionTokenFrom } from '../features/auth/cookies.js';
import type { LoginSessions } from '../features/auth/LoginSessions.js';
import type { Principal } from '../kernel/principal.js';

export function authenticate(sessions: LoginSessions): RequestHandler {
  return (req, res, next) => {
    res.locals.principal = sessions.resolve(sessionTokenFrom(req.headers.cookie));
    next();
  };
}

export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}
