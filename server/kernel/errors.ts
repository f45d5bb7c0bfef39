// One error vocabulary for the whole server: an AppError carries a stable machine code, an HTTP
// status and an English message (the client shows its own zh/en text for the code). `toErrorReply`
// turns anything thrown into the reply for HTTP and socket.io alike; library errors (PKI, PDF,
// request parsing) are mapped here and nowhere else.
import type { z } from 'zod';
import { PkiError, type PkiErrorCode } from '../../certs/errors.js';
import type { ErrorBody, ErrorCode } from '../../protocol/errors.js';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The caller's input was wrong (400). */
export class BadRequestError extends AppError {
  constructor(message: string, code: ErrorCode = 'bad_request') {
    super(code, message, 400);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'login required') {
    super('unauthenticated', message, 401);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'not allowed') {
    super('forbidden', message, 403);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super('not_found', `${what} not found`, 404);
  }
}

/** The thing existed but its data was destroyed (a deleted record's PDFs). */
export class GoneError extends AppError {
  constructor(message: string, code: ErrorCode = 'record_deleted') {
    super(code, message, 410);
  }
}

/** The request is valid but conflicts with the current state (e.g. an invalid case transition). */
export class ConflictError extends AppError {
  constructor(message: string, code: ErrorCode = 'conflict') {
    super(code, message, 409);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super('payload_too_large', message, 413);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(message: string) {
    super('rate_limited', message, 429);
  }
}

/** A zod failure on request input (HTTP or socket), reported as 400 with the paths and messages. */
export class RequestValidationError extends AppError {
  constructor(where: string, zodError: z.ZodError) {
    super(
      'invalid_request',
      `invalid ${where}: ${zodError.issues
        .slice(0, 5)
        .map((i) =>
          i.code === 'unrecognized_keys'
            ? `unknown field(s) ${i.keys.join(', ')}`
            : `${i.path.join('.') || where}: ${i.message}`,
        )
        .join('; ')}`,
      400,
    );
  }
}

/** What an error becomes: its HTTP status and the body both transports send. */
export interface ErrorReply {
  readonly status: number;
  readonly body: ErrorBody;
}

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

/** body-parser failures (express.json, express.raw) by their `type`. */
const parserErrors: Record<string, ErrorReply> = {
  'entity.parse.failed': reply(400, 'malformed_json', 'the request body is not valid JSON'),
  'entity.too.large': reply(413, 'payload_too_large', 'the request body is too large'),
  'encoding.unsupported': reply(415, 'unsupported_encoding', 'unsupported content encoding or charset'),
  'charset.unsupported': reply(415, 'unsupported_encoding', 'unsupported content encoding or charset'),
  'request.aborted': reply(400, 'request_aborted', 'the request was aborted'),
};

const internal = reply(500, 'internal', 'internal error');

/** Any thrown value → status and `{ error: { code, message } }`; unknown errors never leak details. */
export function toErrorReply(err: unknown): ErrorReply {
  if (err instanceof AppError) return reply(err.status, err.code, err.message);
  if (err instanceof PkiError) {
    const status = pkiStatus[err.code] ?? 500;
    return status >= 500 ? internal : reply(status, err.code, err.message);
  }
  const e = err as { type?: unknown; status?: unknown } | null;
  const parser = typeof e?.type === 'string' ? parserErrors[e.type] : undefined;
  if (parser) return parser;
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return reply(e.status, 'bad_request', 'the request could not be processed');
  return internal;
}

function reply(status: number, code: ErrorCode, message: string): ErrorReply {
  return { status, body: { error: { code, message } } };
}
