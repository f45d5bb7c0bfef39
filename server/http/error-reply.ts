// The last express middleware: every error becomes `{ error: { code, message } }` (kernel
// toErrorReply); a 5xx's details go to the server log, never to the client.
import type { ErrorRequestHandler } from 'express';
import { toErrorReply } from '../kernel/errors.js';

export function errorReply(log: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, next) => {
    const { status, body } = toErrorReply(err);
    if (status >= 500) log(err);
    if (res.headersSent) return next(err);
    res.status(status).json(body);
  };
}
