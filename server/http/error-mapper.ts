// The one place errors become HTTP responses `{ error: { code, message } }`: our AppErrors, zod
// input failures, body-parser failures (bad JSON, too large), PKI errors. Anything else is a 500
// with no details; its stack goes to the server log, never to the client.
import type { ErrorRequestHandler } from 'express';
import { PkiError, type PkiErrorCode } from '../../certs/errors.js';
import { AppError, toErrorBody, type ErrorBody } from '../kernel/errors.js';
import { RequestValidationError } from './ApiRouter.js';

/** PkiError codes → HTTP status: a wrong PIN is 403, a locked key 423, our own key trouble 500. */
const pkiStatus: Record<PkiErrorCode, number> = {
  wrong_pin: 403,
  key_locked: 423,
  invalid_pin: 400,
  invalid_input: 400,
  no_certificate: 409,
  revoked: 409,
  expired: 409,
  unknown_site: 404,
  not_initialised: 503,
  bad_keystore: 500,
  tsa_error: 502,
};

export function mapError(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) return toErrorBody(err);
  if (err instanceof RequestValidationError) return body(400, 'invalid_request', err.message);
  const e = err as { type?: unknown; status?: unknown };
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
  if (err instanceof PkiError) {
    const status = pkiStatus[err.code] ?? 500;
    return status >= 500 ? toErrorBody(err) : body(status, err.code, err.message);
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
