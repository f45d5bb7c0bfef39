// The media signalling contract between the server's media signalling and client/src/media/.
// Requests go up as `media:request` with an acknowledgement; the server pushes notifications
// (their events are part of the one event map in socket.ts). Everything arriving from a client is
// checked against these schemas first. No Node imports: the client bundles this file.
import { z } from 'zod';
import type { Ack } from './socket.js';

const id = z.string().min(1).max(128);
/**
 * mediasoup objects (RTP/DTLS parameters) are checked for shape and size; the engine checks the
 * rest, so their other fields are kept as they are (catchall) rather than listed here.
 */
const engineObject = z.record(z.unknown());
const list = (max: number) => z.array(engineObject).max(max);

const rtpParameters = z
  .object({
    mid: z.string().max(32).optional(),
    codecs: list(16).min(1),
    headerExtensions: list(32).optional(),
    encodings: list(8).optional(),
    rtcp: engineObject.optional(),
  })
  .catchall(z.unknown());

const rtpCapabilities = z
  .object({ codecs: list(64).optional(), headerExtensions: list(64).optional() })
  .catchall(z.unknown());

/**
 * What a published track shows: the microphone, the camera, or a shared screen or window (issue 15
 * §5). A share is its own producer beside the camera, never confused with it; absent: the kind's
 * usual device (audio: microphone, video: camera), as older clients and the bots send.
 */
export const producerSources = ['microphone', 'camera', 'screen'] as const;
export type ProducerSource = (typeof producerSources)[number];

const dtlsParameters = z
  .object({
    role: z.enum(['auto', 'client', 'server']).optional(),
    fingerprints: z
      .array(z.object({ algorithm: z.string().max(32), value: z.string().max(256) }))
      .min(1)
      .max(8),
  })
  .strict();

export const mediaRequestSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('join'), data: z.object({ sessionId: id }).strict() }).strict(),
  z.object({ method: z.literal('consent'), data: z.object({}).strict() }).strict(),
  z
    .object({ method: z.literal('createTransport'), data: z.object({ direction: z.enum(['send', 'recv']) }).strict() })
    .strict(),
  z
    .object({ method: z.literal('connectTransport'), data: z.object({ transportId: id, dtlsParameters }).strict() })
    .strict(),
  z
    .object({
      method: z.literal('produce'),
      data: z
        .object({
          transportId: id,
          kind: z.enum(['audio', 'video']),
          rtpParameters,
          source: z.enum(producerSources).optional(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      method: z.literal('consume'),
      data: z.object({ transportId: id, producerId: id, rtpCapabilities }).strict(),
    })
    .strict(),
  z.object({ method: z.literal('resumeConsumer'), data: z.object({ consumerId: id }).strict() }).strict(),
  z
    .object({ method: z.literal('setPaused'), data: z.object({ producerId: id, paused: z.boolean() }).strict() })
    .strict(),
  z.object({ method: z.literal('closeProducer'), data: z.object({ producerId: id }).strict() }).strict(),
  z.object({ method: z.literal('leave'), data: z.object({}).strict() }).strict(),
]);

export type MediaRequest = z.infer<typeof mediaRequestSchema>;
export type MediaMethod = MediaRequest['method'];

/** Bound on one request's JSON size: SDP-derived parameters are a few KB. */
export const maxRequestBytes = 64 * 1024;

export interface PeerView {
  readonly id: string;
  readonly displayName: string;
  readonly role: string;
  readonly consented: boolean;
  readonly audioMuted: boolean;
  readonly videoMuted: boolean;
}

export interface ProducerView {
  readonly id: string;
  readonly peerId: string;
  readonly kind: 'audio' | 'video';
  readonly source: ProducerSource;
  readonly paused: boolean;
}

/** A screen share started (`sharing`) or ended, announced to everyone in the room. */
export interface ScreenShareView {
  readonly peerId: string;
  readonly displayName: string;
  readonly producerId: string;
  readonly sharing: boolean;
}

export interface RecordingStateView {
  readonly sessionId: string;
  readonly state: 'idle' | 'recording' | 'sealed' | 'interrupted';
  readonly startedAt: string | null;
  readonly segmentCount: number;
}

export interface JoinResponse {
  readonly peerId: string;
  readonly routerRtpCapabilities: Record<string, unknown>;
  readonly peers: readonly PeerView[];
  readonly producers: readonly ProducerView[];
  readonly consented: boolean;
  readonly recording: RecordingStateView;
}

export interface TransportResponse {
  readonly id: string;
  readonly iceParameters: Record<string, unknown>;
  readonly iceCandidates: readonly Record<string, unknown>[];
  readonly dtlsParameters: Record<string, unknown>;
}

export interface ConsumeResponse {
  readonly id: string;
  readonly producerId: string;
  readonly peerId: string;
  readonly kind: 'audio' | 'video';
  readonly rtpParameters: Record<string, unknown>;
}

/** What each method answers with (inside `{ ok: true, data }`). */
export interface MediaResponses {
  join: JoinResponse;
  consent: PeerView;
  createTransport: TransportResponse;
  connectTransport: Record<string, never>;
  produce: ProducerView;
  consume: ConsumeResponse;
  resumeConsumer: Record<string, never>;
  setPaused: ProducerView;
  closeProducer: Record<string, never>;
  leave: Record<string, never>;
}

export type MediaAck<M extends MediaMethod = MediaMethod> = Ack<MediaResponses[M]>;

export type MediaNotification =
  | { readonly name: 'peerJoined'; readonly data: PeerView }
  | { readonly name: 'peerUpdated'; readonly data: PeerView }
  | { readonly name: 'peerLeft'; readonly data: { readonly peerId: string } }
  | { readonly name: 'newProducer'; readonly data: ProducerView }
  | { readonly name: 'producerPaused'; readonly data: ProducerView }
  | { readonly name: 'producerClosed'; readonly data: { readonly producerId: string; readonly peerId: string } }
  | { readonly name: 'screenShare'; readonly data: ScreenShareView }
  | { readonly name: 'consumerClosed'; readonly data: { readonly consumerId: string } }
  | { readonly name: 'activeSpeaker'; readonly data: { readonly peerId: string | null } }
  | { readonly name: 'audioLevels'; readonly data: readonly { readonly peerId: string; readonly volume: number }[] };
