// Typed request/acknowledge over the shared socket.io connection (contract: protocol/media.ts).
import type { MediaMethod, MediaRequest, MediaResponses } from '../../../protocol/media.js';
import type { TongbanSocket } from '../api/socket.js';

export class MediaRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Sends one media request; resolves with the data its method answers (MediaResponses). */
export function request<R extends MediaRequest>(
  socket: TongbanSocket,
  req: R,
  timeoutMs?: number,
): Promise<MediaResponses[R['method']]>;
// One ack type serves every method on the wire; the overload above ties each method to its answer.
export function request(
  socket: TongbanSocket,
  req: MediaRequest,
  timeoutMs = 10_000,
): Promise<MediaResponses[MediaMethod]> {
  return new Promise((resolve, reject) => {
    socket.timeout(timeoutMs).emit('media:request', req, (err, res) => {
      if (err) reject(new MediaRequestError('timeout', `${req.method}: no answer`));
      else if (res.ok) resolve(res.data);
      else reject(new MediaRequestError(res.error.code, res.error.message));
    });
  });
}
