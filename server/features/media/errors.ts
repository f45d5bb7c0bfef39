// Media-plane errors: AppError subclasses so socket replies and HTTP map them the same way.
import { AppError, NotFoundError } from '../../kernel/errors.js';

export class ConsentRequiredError extends AppError {
  constructor() {
    super('consent_required', 'acknowledge the recording notice first', 403);
  }
}

export class NotJoinedError extends AppError {
  constructor() {
    super('not_joined', 'join a media session first', 409);
  }
}

export function notFound(what: 'transport' | 'producer' | 'consumer' | 'peer' | 'room', id: string): NotFoundError {
  return new NotFoundError(`${what} ${id.slice(0, 64)}`);
}
