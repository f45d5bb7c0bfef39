// Resolves the session cookie to a Principal once per request and keeps it in res.locals.
import type { RequestHandler, Response } from 'express';
import type { Authenticator } from '../kernel/authenticator.js';
import type { Principal } from '../kernel/principal.js';

export function authenticate(authenticator: Authenticator): RequestHandler {
  return (req, res, next) => {
    res.locals.principal = authenticator.fromCookie(req.headers.cookie)?.principal;
    next();
  };
}

export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}
