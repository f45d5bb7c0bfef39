// The recorder's view of a simulcast camera: every layer through a pipe consumer into this process,
// which forwards one layer to ffmpeg as one RTP stream. Why not the engine's simulcast consumer:
// mediasoup 3.8.4's forwards only a layer whose producer score is above 0
// (worker/src/RTC/SimulcastConsumer.cpp, RecalculateTargetLayers: "Ignore spatial layers ... with
// score 0"), and the score of a stream coming back after an outage falls to 0 at the sender's first
// RTCP report (RtpStreamRecv.cpp UpdateScore: that report's interval holds every packet lost in the
// outage) and rises only at the next one: a second more of hole in the recording, and the keyframe
// asked at the return dropped. A new stream (a worker restart) waits the same way for its first
// report before the consumer may switch layers (CanSwitchToSpatialLayer). A pipe consumer forwards
// every layer whatever its score (PipeConsumer.cpp SendRtpPacket checks only that it is running).
//
// What ffmpeg gets is what the simulcast consumer sent: the best layer the sender is sending, switched
// only at a keyframe of the new layer, sequence numbers and time stamps continuous across switches,
// and a sender report every second on the clock mediasoup stamps its own reports with (the audio's
// come from the engine), so that ffmpeg keeps audio and video in step.
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import { monotonicMs } from './sender-watch.js';

/** A layer that sent nothing for this long while another layer is sending has been stopped by the sender. */
const stoppedLayerMs = 500;
/** No packet of any layer for this long: the sender is silent (the engine's own inactivity bound). */
const silentMs = 1500;
/** A higher layer is asked for (a keyframe request) only once it has been sending this long. */
const settledLayerMs = 1000;
/** Own keyframe requests (layer switches) at most this often: the engine repeats a pending one after 1 s. */
const requestSpacingMs = 1000;
const clockRate = 90_000;

interface LayerState {
  lastMono: number;
  sinceMono: number;
}

/**
 * Emits what the tap listens to on an engine consumer, in the same shapes: 'trace' ({ type:
 * 'keyframe', direction: 'out', timestamp, top }: a keyframe went to ffmpeg, top when it is of the
 * highest layer), 'score' ({ producerScore }:
 * 0 once the sender is silent, 10 at its first packet back), 'layerschange' ({ spatialLayer }) and
 * 'producerresume'. Untyped like the engine's own emitters, so that the tap handles both alike.
 */
export class LayerSelector extends EventEmitter {
  readonly kind = 'video' as const;
  readonly type = 'layers' as const;
  /** One stream (one SSRC) with the producer's codec: what the SDP tells ffmpeg. */
  readonly rtpParameters: ms.RtpParameters;
  readonly #transport: ms.PipeTransport;
  readonly #consumer: ms.Consumer;
  readonly #socket: Socket;
  readonly #layerOfSsrc: ReadonlyMap<number, number>;
  /** The producer's highest layer (its full resolution). */
  readonly #topLayer: number;
  readonly #payloadType: number;
  readonly #ssrc: number;
  readonly #layers = new Map<number, LayerState>();
  readonly #timer: NodeJS.Timeout;
  #target: { port: number; rtcpPort: number } | null = null;
  #forwarding = false;
  #current = -1;
  /** The next packet forwarded must start a keyframe (run start, after silence, a layer switch). */
  #syncRequired = true;
  #seqOffset = 0;
  /** The outgoing sequence number of the last switch's keyframe: nothing older is forwarded. */
  #switchSeq = 0;
  #tsOffset = 0;
  #last: { seq: number; ts: number; mono: number; marker: boolean } | null = null;
  #packets = 0;
  #octets = 0;
  #silent = false;
  #lastRequestMono = -Infinity;
  #lastReportMono = -Infinity;
  closed = false;

  private constructor(transport: ms.PipeTransport, consumer: ms.Consumer, socket: Socket) {
    super();
    this.#transport = transport;
    this.#consumer = consumer;
    this.#socket = socket;
    const codec = consumer.rtpParameters.codecs.find((c) => c.mimeType.toLowerCase().startsWith('video/'))!;
    this.#payloadType = codec.payloadType;
    this.#ssrc = 100_000_000 + Math.floor(Math.random() * 900_000_000);
    const layers = new Map<number, number>();
    for (const [i, e] of (consumer.rtpParameters.encodings ?? []).entries()) if (e.ssrc) layers.set(e.ssrc, i);
    this.#layerOfSsrc = layers;
    this.#topLayer = Math.max(0, ...layers.values());
    this.rtpParameters = {
      codecs: [{ ...codec, rtcpFeedback: [] }],
      encodings: [{ ssrc: this.#ssrc }],
      headerExtensions: [],
      rtcp: { cname: consumer.rtpParameters.rtcp?.cname ?? 'recorder', reducedSize: true },
    };
    socket.on('message', (m) => this.#onPacket(m));
    consumer.on('producerresume', () => this.emit('producerresume'));
    this.#timer = setInterval(() => this.#tick(), 250);
  }

  static async create(router: ms.Router, producer: ms.Producer): Promise<LayerSelector> {
    const transport = await router.createPipeTransport({ listenIp: '127.0.0.1' });
    const socket = createSocket('udp4');
    try {
      const consumer = await transport.consume({ producerId: producer.id });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, '127.0.0.1', () => resolve());
      });
      return new LayerSelector(transport, consumer, socket);
    } catch (err) {
      transport.close();
      socket.close();
      throw err;
    }
  }

  /** Where ffmpeg listens (its RTP port, RTCP on rtcpPort). */
  async connect({ port, rtcpPort }: { ip: string; port: number; rtcpPort: number }): Promise<void> {
    this.#target = { port, rtcpPort };
    await Promise.resolve();
  }

  /**
   * Starts the run: the engine sends every layer here from now on and asks the sender for a keyframe
   * (a pipe consumer does on connecting). Not connected earlier: that request would come while
   * ffmpeg starts, and a sender that dropped it (it acts on one per 300 ms) leaves it pending in the
   * engine for a second, holding back the run's own (room.test: 0.4–0.9 s waits that way).
   */
  async resume(): Promise<void> {
    this.#forwarding = true;
    await this.#transport.connect({ ip: '127.0.0.1', port: this.#socket.address().port });
  }

  /** Asks the sender for a keyframe of every layer (the engine holds back a repeat while one is pending). */
  async requestKeyFrame(): Promise<void> {
    this.#lastRequestMono = monotonicMs();
    await this.#consumer.requestKeyFrame();
  }

  /** Keyframe traces are always on here (they are this process's own). */
  async enableTraceEvent(): Promise<void> {
    await Promise.resolve();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.#timer);
    this.#transport.close();
    this.#socket.close();
  }

  #onPacket(packet: Buffer): void {
    if (this.closed || packet.length < 12 || packet[0]! >> 6 !== 2) return;
    const pt = packet[1]! & 0x7f;
    // RTCP from the engine (its sender reports of each layer): the payload type field reads 72–76.
    if (pt >= 72 && pt <= 76) return;
    if (pt !== this.#payloadType) return;
    const layer = this.#layerOfSsrc.get(packet.readUInt32BE(8));
    if (layer === undefined) return;
    const now = monotonicMs();
    const state = this.#layers.get(layer);
    if (!state || now - state.lastMono > stoppedLayerMs) this.#layers.set(layer, { lastMono: now, sinceMono: now });
    else state.lastMono = now;
    if (this.#silent) {
      this.#silent = false;
      this.emit('score', { producerScore: 10 });
    }
    if (!this.#forwarding || !this.#target) return;
    const seq = packet.readUInt16BE(2);
    // The frames after a silence depend on frames lost in it: wait for a keyframe.
    if (layer === this.#current && this.#last && now - this.#last.mono > silentMs) this.#syncRequired = true;
    const want = this.#wantedLayer(now);
    const keyFrame = isVp8KeyFrameStart(packet);
    if (keyFrame && (this.#syncRequired || (layer !== this.#current && layer === want))) {
      this.#switchTo(layer, packet, now);
    } else if (layer !== this.#current || this.#syncRequired) {
      if (layer === want || this.#syncRequired) this.#askForSwitch(now);
      return;
    } else if (((seq + this.#seqOffset - this.#switchSeq) & 0xffff) > 0x8000) {
      return; // Older than the switch (a late or repaired packet): its frame is not in this stream.
    }
    this.#forward(packet, seq, now, keyFrame);
  }

  /** The best layer the sender is sending now: the highest one with packets in the last half second. */
  #wantedLayer(now: number): number {
    let best = -1;
    for (const [layer, s] of this.#layers) if (now - s.lastMono <= stoppedLayerMs && layer > best) best = layer;
    return best;
  }

  #askForSwitch(now: number): void {
    if (now - this.#lastRequestMono < requestSpacingMs) return;
    const want = this.#layers.get(this.#wantedLayer(now));
    if (!want) return;
    const current = this.#layers.get(this.#current);
    const currentSending = current !== undefined && now - current.lastMono <= stoppedLayerMs;
    // A higher layer that just (re)started opens with a keyframe of its own: ask only when a keyframe
    // is needed anyway, the current layer stopped, or the higher one has been sending a while.
    if (this.#syncRequired || !currentSending || now - want.sinceMono >= settledLayerMs)
      void this.requestKeyFrame().catch(() => undefined);
  }

  #switchTo(layer: number, packet: Buffer, now: number): void {
    const seq = packet.readUInt16BE(2);
    const ts = packet.readUInt32BE(4);
    if (this.#last) {
      // An incomplete frame before the switch shows as a lost packet, so ffmpeg drops it whole.
      const nextSeq = (this.#last.seq + (this.#last.marker ? 1 : 2)) & 0xffff;
      this.#seqOffset = (nextSeq - seq) & 0xffff;
      const elapsed = Math.max(1, Math.round(((now - this.#last.mono) * clockRate) / 1000));
      this.#tsOffset = (this.#last.ts + elapsed - ts) >>> 0;
    } else {
      this.#seqOffset = 0;
      this.#tsOffset = 0;
    }
    this.#switchSeq = (seq + this.#seqOffset) & 0xffff;
    this.#syncRequired = false;
    if (layer !== this.#current) {
      this.#current = layer;
      this.emit('layerschange', { spatialLayer: layer });
    }
  }

  #forward(packet: Buffer, seq: number, now: number, keyFrame: boolean): void {
    const out = Buffer.from(packet);
    const outSeq = (seq + this.#seqOffset) & 0xffff;
    const outTs = (packet.readUInt32BE(4) + this.#tsOffset) >>> 0;
    out.writeUInt16BE(outSeq, 2);
    out.writeUInt32BE(outTs, 4);
    out.writeUInt32BE(this.#ssrc, 8);
    const marker = (packet[1]! & 0x80) !== 0;
    const newer = !this.#last || ((outSeq - this.#last.seq) & 0xffff) < 0x8000;
    if (newer) this.#last = { seq: outSeq, ts: outTs, mono: now, marker };
    this.#packets++;
    this.#octets += packet.length - 12;
    this.#socket.send(out, this.#target!.port, '127.0.0.1');
    if (keyFrame)
      this.emit('trace', { type: 'keyframe', direction: 'out', timestamp: now, top: this.#current === this.#topLayer });
  }

  #tick(): void {
    const now = monotonicMs();
    const lastPacket = Math.max(-Infinity, ...[...this.#layers.values()].map((s) => s.lastMono));
    if (!this.#silent && Number.isFinite(lastPacket) && now - lastPacket > silentMs) {
      this.#silent = true;
      this.emit('score', { producerScore: 0 });
    }
    // The current layer stopped while another is sending: ask for a keyframe to switch down.
    const want = this.#wantedLayer(now);
    if (this.#forwarding && want >= 0 && want !== this.#current) this.#askForSwitch(now);
    if (this.#last && this.#target && now - this.#lastReportMono >= 1000) this.#sendReport(now);
  }

  /** An RTCP sender report as mediasoup writes its own: NTP from the monotonic ms, RTP time extrapolated. */
  #sendReport(now: number): void {
    const last = this.#last!;
    this.#lastReportMono = now;
    const sr = Buffer.alloc(28);
    sr.writeUInt8(0x80, 0);
    sr.writeUInt8(200, 1);
    sr.writeUInt16BE(6, 2);
    sr.writeUInt32BE(this.#ssrc, 4);
    sr.writeUInt32BE(Math.floor(now / 1000) >>> 0, 8);
    sr.writeUInt32BE(Math.floor(((now % 1000) / 1000) * 2 ** 32) >>> 0, 12);
    sr.writeUInt32BE((last.ts + Math.round(((now - last.mono) * clockRate) / 1000)) >>> 0, 16);
    sr.writeUInt32BE(this.#packets >>> 0, 20);
    sr.writeUInt32BE(this.#octets >>> 0, 24);
    this.#socket.send(sr, this.#target!.rtcpPort, '127.0.0.1');
  }
}

/** Whether an RTP packet carries the start of a VP8 keyframe (RFC 7741 payload descriptor, then the frame tag). */
export function isVp8KeyFrameStart(packet: Buffer): boolean {
  const cc = packet[0]! & 0x0f;
  let at = 12 + 4 * cc;
  if (packet[0]! & 0x10) {
    if (packet.length < at + 4) return false;
    at += 4 + 4 * packet.readUInt16BE(at + 2);
  }
  const end = packet[0]! & 0x20 ? packet.length - packet[packet.length - 1]! : packet.length;
  if (at >= end) return false;
  const d = packet[at]!;
  const start = (d & 0x10) !== 0 && (d & 0x07) === 0;
  at++;
  if (d & 0x80) {
    const x = packet[at++]!;
    if (x & 0x80) at += packet[at]! & 0x80 ? 2 : 1;
    if (x & 0x40) at++;
    if (x & 0x30) at++;
  }
  return start && at < end && (packet[at]! & 0x01) === 0;
}
