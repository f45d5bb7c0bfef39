// Typed request/acknowledge over the shared socket.io connection (contract: media-protocol.ts).
import type { Socket } from 'socket.io-client';
import type { MediaAck, MediaMethod, MediaRequest, MediaResponses } from '../../../server/realtime/media-protocol.js';

export class MediaRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function request<M extends MediaMethod>(
  socket: Socket,
  method: M,
  data: Extract<MediaRequest, { method: M }>['data'],
  timeoutMs = 10_000,
): Promise<MediaResponses[M]> {
  return new Promise((resolve, reject) => {
    socket.timeout(timeoutMs).emit('media:request', { method, data }, (err: Error | null, res: MediaAck<M>) => {
      if (err) reject(new MediaRequestError('timeout', `${method}: no answer`));
      else if (res.ok) resolve(res.data);
      else reject(new MediaRequestError(res.error.code, res.error.message));
    });
  });
}
