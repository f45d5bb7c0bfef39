// The socket.io protocol, shared by server and client: every event name with its payload type,
// the zod schema that validates what clients send, and the ack shape. Server → client pushes and
// client → server requests are listed here and nowhere else.
import { z } from 'zod';
import type { CaseSummary } from '../features/cases/index.js';
import type { Principal } from '../kernel/principal.js';
import { caseStatuses } from '../features/cases/index.js';

/** Every client request is acknowledged with one of these. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
export type AckFn<T> = (reply: Ack<T>) => void;

/** Client → server requests: payload schema and the data type of a successful ack. */
export const clientRequests = {
  /** The caller's site queue (handling) and outgoing cases, newest first. */
  'queue:list': z.object({ status: z.enum(caseStatuses).optional() }).strict(),
} as const;

export interface ClientRequestReplies {
  'queue:list': { cases: CaseSummary[] };
}

export type ClientRequestName = keyof typeof clientRequests;
export type ClientRequestPayload<E extends ClientRequestName> = z.infer<(typeof clientRequests)[E]>;

export type ClientToServerEvents = {
  [E in ClientRequestName]: (payload: ClientRequestPayload<E>, ack: AckFn<ClientRequestReplies[E]>) => void;
};

export interface ServerToClientEvents {
  /** A case of one of the socket's sites was created or changed status. */
  'case:updated': (summary: CaseSummary) => void;
}

export interface SocketData {
  principal: Principal;
  /** SHA-256 of the login session token: the socket closes when that session is revoked. */
  loginSession: string;
  /** The media room seat this connection holds, once it joined one. */
  mediaSeat?: { readonly sessionId: string; readonly peerId: string };
}

/** socket.io rooms: every clerk socket is in its site's room. */
export const siteRoom = (siteId: string) => `site:${siteId}`;
