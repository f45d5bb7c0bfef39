// Cross-site request forgery guard (issue 12 §7). Browsers name the page that sent a request in
// `Origin` (every POST/PUT/PATCH/DELETE, fetch or form) or, failing that, in `Sec-Fetch-Site`; a
// state-changing request from any other site is refused before it reaches a route, so SameSite on
// the cookie is no longer the only guard. Requests with neither header (curl, the CLI, TSA clients,
// tests) are not from a browser page and pass.
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { AppError } from '../kernel/errors.js';

export class CrossOriginError extends AppError {
  constructor() {
    super('cross_origin', 'request from another site refused', 403);
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** host[:port] as a URL normalises it (lower case, default port dropped), or undefined. */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a browser says the request comes from our own site: its Origin is the request's Host or
 * the public base URL; without Origin, Sec-Fetch-Site is same-origin or none (typed by the user).
 * True when the client sent neither header.
 */
export function fromOwnSite(headers: IncomingHttpHeaders, publicBaseUrl: string | undefined): boolean {
  const { origin, host } = headers;
  if (origin !== undefined) {
    const from = hostOf(origin); // "null" (sandboxed frames, file:) has no host: refused
    if (!from) return false;
    return (
      (host !== undefined && from === hostOf(`https://${host}`)) || (!!publicBaseUrl && from === hostOf(publicBaseUrl))
    );
  }
  const site = headers['sec-fetch-site'];
  if (site === undefined) return true;
  return site === 'same-origin' || site === 'none';
}

/** Refuses state-changing requests from other sites with 403 `cross_origin`. */
export function refuseCrossSite(publicBaseUrl: () => string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (STATE_CHANGING.has(req.method) && !fromOwnSite(req.headers, publicBaseUrl()))
      return next(new CrossOriginError());
    next();
  };
}
