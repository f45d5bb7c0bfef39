// The messages between an API node and a media node (server to server, carried by
// server/kernel/node-rpc.ts): the API node holds the browser's socket and relays its media requests;
// the media node holds the seat and the room, answers with the acknowledgement the browser gets,
// and sends the room's notifications straight to the socket through the socket.io Redis adapter.
// Checked with zod on receipt like any input.
import { z } from 'zod';
import { roles } from './common.js';
import { errorReply } from './errors.js';
import type { Principal } from './principal.js';

export const relayMethods = {
  /** API → media: one media request of a socket (its ack comes back as the reply). */
  request: 'media-relay.request',
  /** API → media: the socket is gone (the seat keeps its grace time, as for a local socket). */
  disconnected: 'media-relay.disconnected',
  /** API → media: the session ended; its room closes and its recording is sealed. */
  end: 'media-relay.end',
  /** media → API: which of these sockets are still connected to you? */
  alive: 'media-relay.alive',
} as const;

const id = z.string().min(1).max(200);
const socketId = z.string().min(1).max(64);

const principalWire: z.ZodType<Principal> = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('user'),
      userId: id,
      username: z.string().max(200),
      displayName: z.string().max(200),
      role: z.enum(roles),
      siteId: z.string().max(200).nullable(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('guest'),
      guestId: id,
      sessionId: id,
      caseId: id.nullable(),
      displayName: z.string().max(200),
    })
    .strict(),
]);

/** The request itself is checked by the media node as it would check it from a socket. */
export const relayedRequest = z.object({ socketId, principal: principalWire, request: z.unknown() }).strict();
export type RelayedRequest = z.infer<typeof relayedRequest>;

/** The acknowledgement the browser receives, whatever the method's data. */
export const relayedAck = z.union([
  z.object({ ok: z.literal(true), data: z.unknown() }).strict(),
  z.object({ ok: z.literal(false), error: errorReply }).strict(),
]);

export const relayedSocket = z.object({ socketId }).strict();
export const relayedSession = z.object({ sessionId: id }).strict();
export const socketList = z.object({ socketIds: z.array(socketId).max(10_000) }).strict();

/** Recorder operations for a session recorded on another node (server/features/recording/recorder-relay.ts). */
export const recorderMethods = {
  checkpoint: 'recorder.checkpoint',
  isRunning: 'recorder.isRunning',
  captureFrame: 'recorder.captureFrame',
  appendEntry: 'recorder.appendEntry',
  finalize: 'recorder.finalize',
} as const;

const label = z.string().min(1).max(100);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
/** Chained entries (a material as uploaded) travel base64 in the message: bounded like an upload. */
const base64 = z.string().max(40 * 1024 * 1024);

export const recorderSession = z.object({ sessionId: id }).strict();
export const checkpointRequest = recorderSession.extend({ sessionStartedAt: z.string().max(64) }).strict();
export const captureFrameRequest = recorderSession
  .extend({ participantId: id, label, mode: z.enum(['instant', 'still']) })
  .strict();
export const appendEntryRequest = recorderSession
  .extend({ participantId: id, label, bytes: base64, ext: z.string().max(16).optional() })
  .strict();

export const chainedEntryWire = z
  .object({ sha256: hex64, offsetMs: z.number().int().min(0), index: z.number().int().min(0), chainHash: hex64 })
  .strict();
export const capturedFrameWire = chainedEntryWire
  .extend({ image: base64, sourceSegment: z.number().int().min(0) })
  .strict();

/** A recorder operation's outcome: the value (checked by the caller), or the error the caller would have got on that node. */
export const remoteOutcome = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ ok: z.literal(false), error: errorReply, status: z.number().int().min(400).max(599) }).strict(),
]);
