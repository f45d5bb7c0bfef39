// One error base for the whole server: a stable machine code, an HTTP status, and a message a
// person can act on. The HTTP layer and socket.io replies map it with `toErrorBody`.

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The caller's input was wrong (400). */
export class BadRequestError extends AppError {
  constructor(message: string, code = 'bad_request') {
    super(code, message, 400);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = '请先登录 / login required') {
    super('unauthenticated', message, 401);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = '无权执行此操作 / not allowed') {
    super('forbidden', message, 403);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super('not_found', `${what} not found`, 404);
  }
}

/** The request is valid but conflicts with the current state (e.g. an invalid case transition). */
export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict') {
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

export interface ErrorBody {
  error: { code: string; message: string };
}

/** Maps any thrown value to a status and a JSON body; unknown errors never leak their details. */
export function toErrorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}
