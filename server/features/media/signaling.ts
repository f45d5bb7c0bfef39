// Media signalling over socket.io: one `media:request` event with an acknowledgement, checked by
// zod, answered `{ ok, data | error }`. A bad request only ever fails that request. The principal
// comes from the authenticated socket (socket.data.principal). The seats and rooms are the desk's
// (MediaDesk); an API node relays the same requests to a media node instead (relay/).
import { AppError, BadRequestError, TooManyRequestsError } from '../../kernel/errors.js';
import { MediaDesk, type MediaDeskDeps } from './MediaDesk.js';
import { MediaRejectedError } from './errors.js';
import { maxRequestBytes, mediaRequestSchema, type MediaAck, type MediaRequest } from '../../../protocol/media.js';
import type { RealtimeServer, SocketModule, TongbanSocket } from '../../realtime/RealtimeServer.js';
import { RequestBudget } from '../../realtime/RequestBudget.js';

export interface MediaSignalingDeps extends MediaDeskDeps {
  /** Requests one connection may send at once, and per second after that. */
  readonly requestBudget?: { readonly burst: number; readonly perSecond: number };
  /** The desk once attached (a media node of a cluster also answers relayed requests with it). */
  readonly onDesk?: (desk: MediaDesk, realtime: RealtimeServer) => () => void;
}

const defaultRequestBudget = { burst: 100, perSecond: 50 };

export function mediaSockets(deps: MediaSignalingDeps): SocketModule {
  return {
    name: 'media',
    attach(realtime) {
      const desk = new MediaDesk(deps, realtime.io);
      const undoDesk = deps.onDesk?.(desk, realtime);
      realtime.onConnection((socket) => {
        onMediaRequests(realtime, socket, deps.requestBudget, async (req) => {
          const caller = { socketId: socket.id, principal: socket.data.principal, via: null };
          return { ok: true, data: await desk.request(caller, req) };
        });
        socket.on('disconnect', () => desk.disconnected(socket.id));
      });
      return () => {
        undoDesk?.();
        desk.close();
      };
    },
  };
}

/**
 * Listens for the socket's media requests: each is counted against the connection's budget, parsed,
 * and answered by `answer` (an error, ours or the engine's, becomes the error acknowledgement).
 */
export function onMediaRequests(
  realtime: RealtimeServer,
  socket: TongbanSocket,
  budgetOptions: MediaSignalingDeps['requestBudget'],
  answer: (req: MediaRequest) => Promise<MediaAck>,
): void {
  const budget = new RequestBudget(budgetOptions ?? defaultRequestBudget);
  // The payload is whatever the client sent: parseRequest checks it before anything reads it.
  socket.on('media:request', async (raw: unknown, ack: ((reply: MediaAck) => void) | undefined) => {
    if (typeof ack !== 'function') return;
    try {
      if (!budget.take()) throw new TooManyRequestsError('too many media requests, slow down');
      ack(await answer(parseRequest(raw)));
    } catch (err) {
      ack(realtime.errorReply(asAppError(err)));
    }
  });
}

export function parseRequest(raw: unknown): MediaRequest {
  let size: number;
  try {
    size = JSON.stringify(raw ?? null).length;
  } catch {
    throw new BadRequestError('unreadable request', 'bad_request');
  }
  if (size > maxRequestBytes) throw new BadRequestError('request too large', 'payload_too_large');
  const parsed = mediaRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRequestError(
      `invalid media request: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim(),
    );
  }
  return parsed.data;
}

/** Our own errors keep their code; engine rejections (bad RTP/DTLS parameters) become a 400 for that client. */
export function asAppError(err: unknown): unknown {
  return err instanceof AppError || !(err instanceof Error) ? err : new MediaRejectedError(err.message);
}
