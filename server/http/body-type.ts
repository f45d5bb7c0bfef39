// A route's request body must be of the type the route declares (JSON unless it says multipart or
// a raw type), else 415 `unsupported_media_type`. Without this, the JSON parser skips a text/plain
// or form body — the kinds a cross-site page can send without a CORS preflight — and the route
// sees `{}`, which a schema of optional fields accepts (issue 12 §7).
import type { Request } from 'express';
import { AppError } from '../kernel/errors.js';

export class UnsupportedMediaTypeError extends AppError {
  constructor(expected: string) {
    super('unsupported_media_type', `the request body must be ${expected}`, 415);
  }
}

/** The request carries body bytes (chunked, or a non-zero Content-Length). */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Throws 415 when the request has a body whose Content-Type is not `type` (e.g. application/json). */
export function assertBodyType(req: Request, type: string): void {
  if (hasBody(req) && !req.is(type)) throw new UnsupportedMediaTypeError(type);
}
