// The one socket.io protocol, shared by server and client: every event with its payload type, the
// zod schema that checks what clients send, the acknowledgement shape, the socket's data and the
// room names. Client → server requests and server → client pushes are listed here and nowhere else.
import { z } from 'zod';
import { caseStatus } from './common.js';
import type { ErrorReply } from './errors.js';
import type { CaseSummary } from './http/cases.js';
import type { CeremonyState } from './http/ceremonies.js';
import type { EvidenceJob } from './http/records.js';
import type { ScriptRunState } from './http/script.js';
import {
  mediaRequestSchema,
  type MediaAck,
  type MediaMethod,
  type MediaNotification,
  type MediaRequest,
  type MediaResponses,
  type RecordingStateView,
} from './media.js';
import type { Principal } from './principal.js';

/** Every client request is acknowledged with one of these. */
export type Ack<T> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly error: ErrorReply };
export type AckFn<T> = (reply: Ack<T>) => void;

/**
 * Read-only view of a pushed value: the server hands over its own (readonly) domain objects, and
 * a receiver has no business changing what it was sent.
 */
export type Pushed<T> = T extends (infer E)[]
  ? readonly Pushed<E>[]
  : T extends readonly (infer E)[]
    ? readonly Pushed<E>[]
    : T extends object
      ? { readonly [K in keyof T]: Pushed<T[K]> }
      : T;

const ceremonyId = z.string().uuid();

/** Client → server requests: the schema their payload must pass. */
export const clientRequests = {
  /** The caller's site queue (handling) and outgoing cases, newest first. */
  'queue:list': z.object({ status: caseStatus.optional() }).strict(),
  /** Enter the ceremony's room; the ack carries the current state. */
  'ceremony:join': z.object({ ceremonyId }).strict(),
  'ceremony:leave': z.object({ ceremonyId }).strict(),
  /** Host only: turn everyone to this page. */
  'ceremony:page': z.object({ ceremonyId, page: z.number().int().min(1).max(100_000) }).strict(),
  /** Media signalling: one event, the method inside (media.ts). */
  'media:request': mediaRequestSchema,
} as const;

export type ClientRequestName = keyof typeof clientRequests;
export type ClientRequestPayload<E extends ClientRequestName> = z.infer<(typeof clientRequests)[E]>;

/** What a successful ack carries, per request (media: per method, see MediaResponses). */
export interface ClientRequestReplies {
  'queue:list': { readonly cases: readonly Pushed<CaseSummary>[] };
  'ceremony:join': Pushed<CeremonyState>;
  'ceremony:leave': { readonly left: true };
  'ceremony:page': Pushed<CeremonyState>;
}

/** Requests whose ack data is one type (all but `media:request`, whose data depends on the method). */
export type SimpleRequestName = keyof ClientRequestReplies;

/** The ack data a handler of request `E` returns (media: any method's answer). */
export type ClientRequestReply<E extends ClientRequestName> = E extends SimpleRequestName
  ? ClientRequestReplies[E]
  : MediaResponses[MediaMethod];

export type ClientToServerEvents = {
  [E in SimpleRequestName]: (payload: ClientRequestPayload<E>, ack: AckFn<ClientRequestReplies[E]>) => void;
} & {
  'media:request': (request: MediaRequest, ack: (reply: MediaAck) => void) => void;
};

/** A signature just landed on a ceremony's agreement. */
export interface CeremonySignatureEvent {
  readonly ceremonyId: string;
  readonly position: number;
  readonly name: string;
  readonly signedAt: string;
  /** SHA-256 of the PDF revision that now carries the signature. */
  readonly sha256: string;
}

export interface ServerToClientEvents {
  /** A case of one of the socket's sites was created or changed status (to the sites' rooms). */
  'case:updated': (summary: Pushed<CaseSummary>) => void;
  /** Everything about the ceremony after any change: page, turn, signature, abort (ceremony room). */
  'ceremony:state': (state: Pushed<CeremonyState>) => void;
  'ceremony:signed': (event: CeremonySignatureEvent) => void;
  /** Progress of an evidence export the socket's user started (user room). */
  'evidence:progress': (job: Pushed<EvidenceJob>) => void;
  /** Something changed in the media room the socket sits in. */
  'media:notify': (notification: MediaNotification) => void;
  /** The room was rebuilt on a fresh worker: rejoin and renegotiate (no user action needed). */
  'media:rebuild': (event: { readonly sessionId: string }) => void;
  /** Another connection with the same identity took this seat. */
  'media:replaced': (event: { readonly sessionId: string }) => void;
  'recording:state': (state: RecordingStateView) => void;
  /** The handling clerk started a liveness check: the applicant's screen shows the prompt (media room). */
  'identity:liveness': (event: LivenessPromptEvent) => void;
  /** The case's 意愿确认 script moved on: the prompt on the applicant's screen (media room of the session). */
  'script:state': (state: Pushed<ScriptRunState>) => void;
}

/** A liveness prompt for the applicant's screen; `prompt: null` clears it when the check ends. */
export const livenessPromptEvent = z.object({
  sessionId: z.string(),
  prompt: z.enum(['turn_head', 'blink']).nullable(),
  /** How long the server watches the recorded video, ms. */
  durationMs: z.number().int(),
});
export type LivenessPromptEvent = z.infer<typeof livenessPromptEvent>;

/** No server-to-server events. */
export type InterServerEvents = Record<string, never>;

export interface SocketData {
  principal: Principal;
  /** SHA-256 of the login session token: the socket closes when that session is revoked. */
  loginSession: string;
  /** The media room seat this socket holds, once it joined one. */
  mediaSeat?: { readonly sessionId: string; readonly peerId: string } | undefined;
}

/** socket.io rooms: a clerk's site, a ceremony's participants, one user's sockets. */
export const siteRoom = (siteId: string) => `site:${siteId}`;
export const ceremonyRoom = (ceremonyId: string) => `ceremony:${ceremonyId}`;
export const userRoom = (userId: string) => `user:${userId}`;
/** The media room of one session: its peers' sockets get the room's notifications. */
export const mediaRoom = (sessionId: string) => `media:${sessionId}`;
