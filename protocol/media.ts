// The media signalling contract between the server's media signalling and client/src/media/.
// Requests go up as `media:request` with an acknowledgement; the server pushes notifications
// (their events are part of the one event map in socket.ts). Everything arriving from a client is
// checked against these schemas first. No Node imports: the client bundles this file.
import { z } from 'zod';
import type { Ack } from './socket.js';

const id = z.string().min(1).max(128);
const tilePixels = z.number().int().min(0).max(16_384);
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

/** The probe's data channel (an SCTP stream); the engine checks the stream id against its streams. */
const sctpStreamParameters = z
  .object({
    streamId: z.number().int().min(0).max(65_535),
    ordered: z.boolean().optional(),
    maxPacketLifeTime: z.number().int().min(0).max(60_000).optional(),
    maxRetransmits: z.number().int().min(0).max(100).optional(),
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
  /** The rendered size of the tile showing a consumer's video (device pixels): the SFU picks the layer. */
  z
    .object({
      method: z.literal('setTileSize'),
      data: z.object({ consumerId: id, width: tilePixels, height: tilePixels }).strict(),
    })
    .strict(),
  /** The caller's own receive state: consumers with their layers, audio-only, the bandwidth estimate. */
  z.object({ method: z.literal('stats'), data: z.object({}).strict() }).strict(),
  // Pre-join bandwidth probe: a send transport of its own (no seat needed, nothing is forwarded or recorded).
  z.object({ method: z.literal('probeStart'), data: z.object({}).strict() }).strict(),
  z.object({ method: z.literal('probeConnect'), data: z.object({ dtlsParameters }).strict() }).strict(),
  z.object({ method: z.literal('probeProduce'), data: z.object({ sctpStreamParameters }).strict() }).strict(),
  z.object({ method: z.literal('probeResult'), data: z.object({}).strict() }).strict(),
]);

export type MediaRequest = z.infer<typeof mediaRequestSchema>;
export type MediaMethod = MediaRequest['method'];

/** Bound on one request's JSON size: SDP-derived parameters are a few KB. */
export const maxRequestBytes = 64 * 1024;

/**
 * The camera the client captures. libwebrtc (Chrome, and the bots' @roamhq/wrtc) sends no more
 * simulcast layers than the picture's size allows: two at 640×480, three from 960×540 on.
 */
export const cameraCapture: CameraCapture = { width: 960, height: 540, frameRate: 15 };

/** The capture size the server asks clients for (config media.camera); the layers scale down from it. */
export interface CameraCapture {
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
}

/** `960x540@15` → the capture it names; null when the text is not of that form. */
export function parseCamera(text: string): CameraCapture | null {
  const m = /^(\d{2,4})x(\d{2,4})@(\d{1,2})$/.exec(text.trim());
  return m ? { width: Number(m[1]), height: Number(m[2]), frameRate: Number(m[3]) } : null;
}

/**
 * Simulcast layers, lowest first (VP8): 240×135, 480×270, 960×540. The SFU forwards one of them
 * per receiver (tile size, bandwidth); the recorder takes the top one.
 */
export const simulcastLayers = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 400_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_000_000 },
] as const;

/** Audio on the wire (opus at ~32 kbit/s plus RTP/UDP/IP headers), for the probe's figures below. */
const audioWireKbps = 50;

/**
 * The pre-join probe's advice line: an uplink under this carries no more than the lowest simulcast
 * layer beside the audio (the others would see a 240×135 picture), so audio only is advised.
 */
export const probeLowKbps = (simulcastLayers[0].maxBitrate + simulcastLayers[1].maxBitrate) / 1000 + audioWireKbps;

/**
 * The probe sends at most this: every layer plus audio, twice over. A link that carries it has room
 * for the room's needs; a faster one is not measured further (a few seconds of upload, not a flood
 * of a service centre's shared line).
 */
export const probeCeilingKbps = 2 * (simulcastLayers.reduce((a, l) => a + l.maxBitrate, 0) / 1000 + audioWireKbps);

/**
 * The simulcast layers that fit a send cap (bit/s): the lowest ones whose sum stays under it
 * (at least the lowest, its maxBitrate lowered to the cap when even that does not fit).
 */
export function layersUnderCap(capBps: number | null): { scaleResolutionDownBy: number; maxBitrate: number }[] {
  const out: { scaleResolutionDownBy: number; maxBitrate: number }[] = [];
  let sum = 0;
  for (const layer of simulcastLayers) {
    if (capBps !== null && sum + layer.maxBitrate > capBps) break;
    sum += layer.maxBitrate;
    out.push({ ...layer });
  }
  if (out.length === 0) out.push({ ...simulcastLayers[0], maxBitrate: Math.max(30_000, capBps ?? 0) });
  return out;
}

export type QualityLevel = 'good' | 'fair' | 'poor';

/** One participant's connection quality, from the SFU's stats (loss both ways, RTT, bitrates). */
export interface PeerQuality {
  readonly peerId: string;
  readonly level: QualityLevel;
  /** Worst packet loss of its streams, up or down, in percent. */
  readonly lossPct: number;
  /** Round-trip time to it, ms (null before the first receiver report). */
  readonly rttMs: number | null;
  /** What it sends (audio + video), kbit/s. */
  readonly sendKbps: number;
  /** The SFU's estimate of what can be sent to it, kbit/s (null before there is one). */
  readonly availableKbps: number | null;
  readonly audioOnly: boolean;
}

export interface ConsumerStatsView {
  readonly id: string;
  readonly producerId: string;
  readonly peerId: string;
  readonly kind: 'audio' | 'video';
  readonly paused: boolean;
  /** Simulcast: the spatial layer wanted (tile size) and the one being forwarded (null: none yet). */
  readonly preferredSpatialLayer: number | null;
  readonly currentSpatialLayer: number | null;
  readonly score: number | null;
}

export interface MediaStatsView {
  readonly audioOnly: boolean;
  readonly availableKbps: number | null;
  /** The receive cap of the caller's site (bit/s), null when uncapped. */
  readonly recvCapBps: number | null;
  readonly consumers: readonly ConsumerStatsView[];
  /** The caller's own producers as the SFU receives them. */
  readonly producers: readonly ProducerStatsView[];
}

export interface ProducerStatsView {
  readonly id: string;
  readonly kind: 'audio' | 'video';
  readonly paused: boolean;
  /** Simulcast layers (RTP streams) arriving. */
  readonly streams: number;
  /** Bytes received so far and the current rate, all layers together. */
  readonly byteCount: number;
  readonly kbps: number;
}

export interface ProbeStartResponse {
  readonly routerRtpCapabilities: Record<string, unknown>;
  /** A send transport with SCTP: the probe sends data, not a camera (see client/src/media/probe.ts). */
  readonly transport: TransportResponse & { readonly sctpParameters: Record<string, unknown> };
}

/** What the probe transport received: the uplink's usable bandwidth, up to probeCeilingKbps. */
export interface ProbeResult {
  /** Bytes on the wire (UDP payloads) per second over the window after the sender's first half second. */
  readonly kbps: number;
  readonly bytes: number;
  readonly windowMs: number;
  /** From the data channel's creation to the reading. */
  readonly durationMs: number;
}

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
  /** The send cap of the caller's site (bit/s, its simulcast layers must fit), null when uncapped. */
  readonly sendCapBps: number | null;
  /** The camera to capture (config media.camera): the simulcast layers are fractions of it. */
  readonly camera: CameraCapture;
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
  setTileSize: { readonly preferredSpatialLayer: number };
  stats: MediaStatsView;
  probeStart: ProbeStartResponse;
  probeConnect: Record<string, never>;
  probeProduce: { readonly id: string };
  probeResult: ProbeResult;
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
  | { readonly name: 'audioLevels'; readonly data: readonly { readonly peerId: string; readonly volume: number }[] }
  /** Every participant's connection quality (to the whole room, every few seconds). */
  | { readonly name: 'quality'; readonly data: { readonly peers: readonly PeerQuality[] } }
  /**
   * To one sender: a snapshot of its camera is being taken; send the camera at full resolution alone
   * (every send budget on it) for holdMs, then as before.
   */
  | { readonly name: 'stillCapture'; readonly data: { readonly holdMs: number } }
  /** To one receiver: its video was paused for a weak downlink (active), or resumed. */
  | { readonly name: 'audioOnly'; readonly data: { readonly active: boolean; readonly availableKbps: number | null } }
  /** To one receiver: the simulcast layer forwarded to one of its consumers changed. */
  | {
      readonly name: 'consumerLayers';
      readonly data: { readonly consumerId: string; readonly spatialLayer: number | null };
    };
