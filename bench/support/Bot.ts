// A headless participant: mediasoup-client's Chrome111 handler on @roamhq/wrtc's libwebrtc, talking
// our signalling (protocol/media.ts) over socket.io with a session cookie, exactly
// as the browser client does: join → consent → send/recv transports → produce a synthetic camera
// and microphone → consume every other producer → resume. It counts the frames it decodes per
// remote producer (RTCVideoSink) and rejoins by itself when the server rebuilds the room.
import wrtc from '@roamhq/wrtc';
import { Device, type types as mc } from 'mediasoup-client';
import { Chrome111 } from 'mediasoup-client/handlers/Chrome111';
import { io, type Socket } from 'socket.io-client';
import type {
  ConsumeResponse,
  JoinResponse,
  MediaAck,
  MediaMethod,
  MediaNotification,
  MediaResponses,
  ProducerView,
  TransportResponse,
} from '../../protocol/media.js';
import type { SyntheticMedia } from './SyntheticMedia.js';
import { SESSION_COOKIE } from '../../server/features/auth/index.js';

// mediasoup-client's handler uses the browser's WebRTC globals; libwebrtc from wrtc stands in.
Object.assign(globalThis, {
  RTCPeerConnection: wrtc.RTCPeerConnection,
  RTCSessionDescription: wrtc.RTCSessionDescription,
  RTCIceCandidate: wrtc.RTCIceCandidate,
  MediaStream: wrtc.MediaStream,
  MediaStreamTrack: wrtc.MediaStreamTrack,
});

export interface BotOptions {
  readonly url: string;
  readonly sessionId: string;
  /** The session cookie's value (SESSION_COOKIE), or `cookie`, a whole Cookie header (e.g. an HttpClient's). */
  readonly token?: string;
  readonly cookie?: string;
  readonly media: SyntheticMedia;
  /** PEM of the platform root, so TLS is checked against it. */
  readonly ca: string;
  readonly requestTimeoutMs?: number;
}

export interface RemoteVideo {
  readonly producerId: string;
  readonly peerId: string;
  frames: number;
  firstFrameAt: number | null;
  consumedAt: number;
}

export class Bot {
  readonly #o: BotOptions;
  readonly #socket: Socket;
  #device: Device | undefined;
  #send: mc.Transport | undefined;
  #recv: mc.Transport | undefined;
  readonly #sinks: { stop(): void }[] = [];
  /** Remote video producers being received, by producer id (replaced on rebuild). */
  readonly videos = new Map<string, RemoteVideo>();
  peerId = '';
  joinStartedAt = 0;
  rebuilds = 0;
  #consuming = Promise.resolve();
  #screen: mc.Producer | undefined;
  #closed = false;

  constructor(o: BotOptions) {
    this.#o = o;
    this.#socket = io(o.url, {
      transports: ['websocket'],
      extraHeaders: { cookie: o.cookie ?? `${SESSION_COOKIE}=${o.token}` },
      ca: o.ca,
      reconnection: true,
      autoConnect: false,
    });
    this.#socket.on('media:notify', (n: MediaNotification) => this.#onNotify(n));
    this.#socket.on('media:rebuild', () => void this.#rejoin());
  }

  /** Listens to a server push on this bot's socket (e.g. the applicant's liveness prompt). */
  onPush(event: string, listener: (payload: unknown) => void): void {
    this.#socket.on(event, listener);
  }

  /** Connects, joins, publishes and consumes; resolves once its own producers exist. */
  async start(): Promise<void> {
    this.joinStartedAt = performance.now();
    this.#socket.connect();
    await this.#join();
  }

  /** Frames decoded from every remote video so far. */
  framesByProducer(): Map<string, number> {
    return new Map([...this.videos].map(([id, v]) => [id, v.frames]));
  }

  /**
   * Publishes a synthetic video track as a screen share (issue 15 §5) beside the camera; rejects
   * with the server's `produce: <code> <message>` when the share is refused.
   */
  async shareScreen(): Promise<string> {
    if (!this.#send) throw new Error('shareScreen: not joined');
    const { video } = this.#o.media.tracks();
    this.#screen = await this.#send.produce({
      track: video as unknown as MediaStreamTrack,
      encodings: [{ maxBitrate: 300_000 }],
      appData: { source: 'screen' },
    });
    return this.#screen.id;
  }

  /** Ends this bot's screen share, as the browser's "stop sharing" does. */
  async stopScreen(): Promise<void> {
    const screen = this.#screen;
    this.#screen = undefined;
    if (!screen) return;
    screen.close();
    await this.#request('closeProducer', { producerId: screen.id });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#request('leave', {}, 2000).catch(() => undefined);
    this.#teardown();
    this.#socket.close();
  }

  async #join(): Promise<void> {
    const joined: JoinResponse = await this.#request('join', { sessionId: this.#o.sessionId });
    this.peerId = joined.peerId;
    const device = new Device({ handlerFactory: Chrome111.createFactory({}) });
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as unknown as mc.RtpCapabilities });
    this.#device = device;
    if (!joined.consented) await this.#request('consent', {});
    this.#send = device.createSendTransport(await this.#transport('send'));
    this.#recv = device.createRecvTransport(await this.#transport('recv'));
    for (const t of [this.#send, this.#recv]) {
      t.on(
        'connect',
        ({ dtlsParameters }, ok, fail) =>
          void this.#request('connectTransport', { transportId: t.id, dtlsParameters: dtlsParameters as never }).then(
            () => ok(),
            fail,
          ),
      );
    }
    this.#send.on(
      'produce',
      ({ kind, rtpParameters, appData }, ok, fail) =>
        void this.#request('produce', {
          transportId: this.#send!.id,
          kind,
          rtpParameters: rtpParameters as never,
          ...(appData.source === 'screen' ? { source: 'screen' } : {}),
        }).then((p) => ok({ id: p.id }), fail),
    );
    const { video, audio } = this.#o.media.tracks();
    await this.#send.produce({ track: video as unknown as MediaStreamTrack, encodings: [{ maxBitrate: 300_000 }] });
    await this.#send.produce({ track: audio as unknown as MediaStreamTrack });
    for (const p of joined.producers) this.#consumeLater(p);
  }

  async #transport(direction: 'send' | 'recv'): Promise<mc.TransportOptions> {
    const t: TransportResponse = await this.#request('createTransport', { direction });
    return t as unknown as mc.TransportOptions;
  }

  #onNotify(n: MediaNotification): void {
    if (n.name === 'newProducer' && n.data.peerId !== this.peerId) this.#consumeLater(n.data);
    if (n.name === 'producerClosed') this.videos.delete(n.data.producerId);
  }

  /** Consumes one at a time (the recv transport negotiates serially anyway). */
  #consumeLater(p: ProducerView): void {
    this.#consuming = this.#consuming.then(() => this.#consume(p)).catch(() => undefined);
  }

  async #consume(p: ProducerView): Promise<void> {
    if (!this.#device || !this.#recv || this.#closed) return;
    const recv = this.#recv;
    const c: ConsumeResponse = await this.#request('consume', {
      transportId: recv.id,
      producerId: p.id,
      rtpCapabilities: this.#device.recvRtpCapabilities as never,
    });
    const consumer = await recv.consume({
      id: c.id,
      producerId: c.producerId,
      kind: c.kind,
      rtpParameters: c.rtpParameters as unknown as mc.RtpParameters,
    });
    if (c.kind === 'video') {
      const video: RemoteVideo = {
        producerId: c.producerId,
        peerId: c.peerId,
        frames: 0,
        firstFrameAt: null,
        consumedAt: performance.now(),
      };
      this.videos.set(c.producerId, video);
      const sink = new wrtc.nonstandard.RTCVideoSink(consumer.track as never);
      sink.onframe = () => {
        video.frames += 1;
        video.firstFrameAt ??= performance.now();
      };
      this.#sinks.push(sink);
    }
    await this.#request('resumeConsumer', { consumerId: c.id });
  }

  /** The room moved to a fresh worker: drop the old transports and do the whole join again. */
  async #rejoin(): Promise<void> {
    if (this.#closed) return;
    this.rebuilds += 1;
    this.#teardown();
    this.videos.clear();
    await this.#join().catch(() => undefined);
  }

  #teardown(): void {
    for (const s of this.#sinks.splice(0)) s.stop();
    this.#send?.close();
    this.#recv?.close();
    this.#send = this.#recv = undefined;
    this.#screen = undefined;
  }

  #request<M extends MediaMethod>(
    method: M,
    data: unknown,
    timeoutMs = this.#o.requestTimeoutMs ?? 20_000,
  ): Promise<MediaResponses[M]> {
    return new Promise((resolve, reject) => {
      this.#socket.timeout(timeoutMs).emit('media:request', { method, data }, (err: Error | null, res: MediaAck<M>) => {
        if (err) reject(new Error(`${method}: ${err.message}`));
        else if (!res.ok) reject(new Error(`${method}: ${res.error.code} ${res.error.message}`));
        else resolve(res.data);
      });
    });
  }
}
