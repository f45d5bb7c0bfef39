// The one place errors become HTTP responses `{ error: { code, message } }`: our AppErrors, zod
// input failures, body-parser failures (bad JSON, too large), PKI errors. Anything else is a 500
// with no details; its stack goes to the server log, never to the client.
import type { ErrorRequestHandler } from 'express';
import { AppError, toErrorBody, type ErrorBody } from '../errors.js';
import { RequestValidationError } from './ApiRouter.js';

/** PkiError codes (certs/errors.ts) → HTTP status; PIN problems are the caller's, a locked key is 423. */
const pkiStatus: Record<string, number> = {
  wrong_pin: 403,
  key_locked: 423,
  not_found: 404,
  unknown_user: 404,
  revoked: 409,
  not_initialised: 503,
};

export function mapError(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) return toErrorBody(err);
  if (err instanceof RequestValidationError) return body(400, 'invalid_request', err.message);
  const e = err as { type?: unknown; status?: unknown; name?: unknown; code?: unknown; message?: unknown };
  switch (e?.type) {
    case 'entity.parse.failed':
      return body(400, 'malformed_json', 'the request body is not valid JSON');
    case 'entity.too.large':
      return body(413, 'payload_too_large', 'the request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return body(415, 'unsupported_encoding', 'unsupported content encoding or charset');
    case 'request.aborted':
      return body(400, 'request_aborted', 'the request was aborted');
  }
  if (e?.name === 'PkiError' && typeof e.code === 'string') {
    return body(pkiStatus[e.code] ?? 400, e.code, typeof e.message === 'string' ? e.message : e.code);
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return body(e.status, 'bad_request', 'the request could not be processed');
  }
  return toErrorBody(err);
}

function body(status: number, code: string, message: string): { status: number; body: ErrorBody } {
  return { status, body: { error: { code, message } } };
}

export function errorMapper(log: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, next) => {
    const { status, body: payload } = mapError(err);
    if (status >= 500) log(err);
    if (res.headersSent) return next(err);
    res.status(status).json(payload);
  };
}
