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

/** The media engine refused what a client sent (bad RTP or DTLS parameters): that client's 400. */
export class MediaRejectedError extends AppError {
  constructor(engineMessage: string) {
    super('media_rejected', engineMessage.slice(0, 200), 400);
  }
}

/** Screen sharing is for the clerks of the session (issue 15 §5), checked by role on the server. */
export class ScreenShareForbiddenError extends AppError {
  constructor() {
    super('screen_share_forbidden', 'only the clerks may share a screen', 403);
  }
}

/**
 * One share at a time: a second clerk's share is refused, not swapped in, so the share being shown
 * (and recorded) is never cut off by someone else; the sharer's name says whom to ask.
 */
export class ScreenShareBusyError extends AppError {
  constructor(sharer: string) {
    super('screen_share_busy', `${sharer.slice(0, 100)} is already sharing a screen`, 409);
  }
}

/** The session's home media node did not answer (dead or cut off): the client retries, the session is placed anew. */
export class MediaNodeUnreachableError extends AppError {
  constructor(detail: string) {
    super('media_node_unreachable', `the media node hosting this session did not answer: ${detail.slice(0, 200)}`, 503);
  }
}
