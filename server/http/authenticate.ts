// Resolves the session cookie to a Principal once per request and keeps it in res.locals.
import type { RequestHandler, Response } from 'express';
import type { Authenticator } from '../kernel/authenticator.js';
import type { Principal } from '../kernel/principal.js';

export function authenticate(authenticator: Authenticator): RequestHandler {
  return (req, res, next) => {
    Promise.resolve(authenticator.fromCookie(req.headers.cookie)).then((who) => {
      res.locals.principal = who?.principal;
      res.locals.mustChangePassword = who?.mustChangePassword === true;
      next();
    }, next);
  };
}

/** The signed-in user must change their password before anything else (issue 12 §5). */
export function mustChangePassword(res: Response): boolean {
  return res.locals.mustChangePassword === true;
}

export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}
