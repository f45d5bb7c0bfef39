// Framework-free mediasoup-client logic for one session's room: join, consent, publish camera and
// microphone, consume everyone else, follow mute/speaker/recording state, and rejoin on its own
// after a network blip or a server-side rebuild. Pages only read `state` and listen to 'change'.
import { Device, detectDevice, type types } from 'mediasoup-client';
import {
  cameraCapture,
  layersUnderCap,
  type CameraCapture,
  type MediaNotification,
  type PeerQuality,
  type PeerView,
  type ProducerSource,
  type ProducerView,
  type ProbeResult,
  type RecordingStateView,
  type ScreenShareView,
} from '../../../protocol/media.js';
import { sharedSocket, type TongbanSocket } from '../api/socket.js';
import { FullResolutionHold } from './FullResolutionHold.js';
import { PeerStreams } from './PeerStreams.js';
import { request } from './signaling.js';
import { runProbe } from './probe.js';

export interface RemoteTrack {
  readonly peerId: string;
  readonly source: ProducerSource;
  readonly consumer: types.Consumer;
}

/** The screen being shared in the room (one at a time), the sharer's own or a remote one. */
export interface ScreenShare {
  readonly peerId: string;
  readonly producerId: string;
  /** Its own stream, never the sharer's camera stream: the camera tile stays as it is. */
  readonly stream: MediaStream;
  readonly self: boolean;
}

export interface RoomState {
  readonly phase: 'connecting' | 'joined' | 'rejoining' | 'failed' | 'left';
  readonly peerId: string | null;
  readonly consented: boolean;
  readonly peers: ReadonlyMap<string, PeerView>;
  readonly remote: readonly RemoteTrack[];
  /** One stream per remote peer for its whole stay (see PeerStreams): what its tile shows. */
  readonly streams: ReadonlyMap<string, MediaStream>;
  readonly localStream: MediaStream | null;
  readonly recording: RecordingStateView | null;
  readonly activeSpeaker: string | null;
  readonly error: string | null;
  /** Every participant's connection quality, as the SFU last reported it. */
  readonly quality: ReadonlyMap<string, PeerQuality>;
  /** The SFU paused the video sent to us (weak downlink): tiles show who is there, not their picture. */
  readonly audioOnly: boolean;
  readonly screen: ScreenShare | null;
  /** The latest share started or stopped, as the server announced it to everyone. */
  readonly screenNotice: ScreenShareView | null;
}

export interface TrackStats {
  readonly peerId: string;
  readonly kind: 'audio' | 'video';
  readonly framesDecoded: number;
  readonly packetsReceived: number;
}

/** Outbound RTP counters of one published track. */
export interface SendStats {
  readonly kind: 'audio' | 'video';
  readonly framesSent: number;
  readonly packetsSent: number;
  /** When the counters were read (ms since the epoch, like Date.now()). */
  readonly at: number;
  /** Per simulcast layer: what the encoder really sends, and what holds it back (cpu, bandwidth). */
  readonly layers: readonly SendLayer[];
}

export interface SendLayer {
  readonly rid: string | null;
  readonly height: number | null;
  readonly framesSent: number;
  readonly fps: number | null;
  readonly limitation: string | null;
}

interface OutboundRtp {
  readonly type: string;
  readonly timestamp: number;
  readonly rid?: string;
  readonly framesSent?: number;
  readonly packetsSent?: number;
  readonly frameHeight?: number;
  readonly framesPerSecond?: number;
  readonly qualityLimitationReason?: string;
}

/**
 * On a CPU-starved machine libwebrtc lowers the camera's resolution by default, and the number of
 * simulcast layers follows the resolution: layers then stop and start, and every receiver of a
 * vanished layer stalls until the SFU moves it to another one and gets a keyframe there (measured:
 * 62 % of sent frames decoded). Dropping frames instead keeps the layers steady.
 */
async function keepResolution(sender: RTCRtpSender): Promise<void> {
  const params = sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
  params.degradationPreference = 'maintain-resolution';
  await sender.setParameters(params).catch(() => undefined);
}

export interface RoomClientOptions {
  readonly sessionId: string;
  /** An existing socket.io connection; by default the page's shared one (api/socket.ts). */
  readonly socket?: TongbanSocket;
  readonly media?: MediaStreamConstraints;
}

/**
 * The last `leave` sent on each socket. The socket is shared, so the next room client (the same
 * page remounted, a room page turning into its ceremony page) must not join before the server has
 * handled that leave: its seat would be freed after the new join took it.
 */
const leaving = new WeakMap<TongbanSocket, Promise<unknown>>();

/** Microphone and the camera the server names in its join answer (config media.camera). */
const mediaFor = (camera: CameraCapture): MediaStreamConstraints => ({
  audio: true,
  video: {
    width: { ideal: camera.width },
    height: { ideal: camera.height },
    frameRate: { ideal: camera.frameRate },
  },
});

export class RoomClient extends EventTarget {
  readonly sessionId: string;
  readonly #socket: TongbanSocket;
  #media: MediaStreamConstraints;
  readonly #ownMedia: boolean;
  #device: Device | null = null;
  #send: types.Transport | null = null;
  #recv: types.Transport | null = null;
  #producers = new Map<'audio' | 'video', types.Producer>();
  #stillHold: FullResolutionHold | undefined;
  /** This page's screen share, apart from the camera and microphone (setMuted never touches it). */
  #screenProducer: types.Producer | null = null;
  readonly #streams = new PeerStreams();
  #state: RoomState = {
    phase: 'connecting',
    peerId: null,
    consented: false,
    peers: new Map(),
    remote: [],
    streams: new Map(),
    localStream: null,
    recording: null,
    activeSpeaker: null,
    error: null,
    quality: new Map(),
    audioOnly: false,
    screen: null,
    screenNotice: null,
  };
  /** The site's send cap from the join answer: the simulcast layers are chosen to fit it. */
  #sendCapBps: number | null = null;
  /** One getUserMedia at a time: the pre-join check and publishing may both ask. */
  #opening: Promise<MediaStream> | null = null;
  /** Each remote peer's tile height (device pixels), re-sent for a consumer made after it was measured. */
  readonly #tileHeights = new Map<string, number>();
  #joining: Promise<void> | null = null;
  /** Producers announced while a join is under way: consumed once the receive transport exists. */
  #pending: ProducerView[] = [];
  #closed = false;
  readonly #unlisten: () => void;

  constructor(options: RoomClientOptions) {
    super();
    this.sessionId = options.sessionId;
    this.#media = options.media ?? mediaFor(cameraCapture);
    this.#ownMedia = options.media !== undefined;
    this.#socket = options.socket ?? sharedSocket();
    const onNotify = (n: MediaNotification) => this.#onNotify(n);
    const onRecording = (s: RecordingStateView) => {
      if (s.sessionId === this.sessionId) this.#set({ recording: s });
    };
    const onRebuild = (d: { readonly sessionId: string }) => {
      if (d.sessionId === this.sessionId) void this.rejoin();
    };
    // Another tab or device took this seat: stop here rather than fight over it.
    const onReplaced = (d: { readonly sessionId: string }) => {
      if (d.sessionId !== this.sessionId) return;
      this.#closed = true;
      this.#unlisten();
      this.#teardown();
      this.#streams.retain(new Set());
      this.#set({
        phase: 'left',
        streams: this.#streams.view,
        error: '已在其他窗口或设备加入 / joined from another window or device',
      });
    };
    // socket.io reconnects by itself; the seat is then taken again with fresh transports.
    const onReconnect = () => void this.rejoin();
    this.#socket.on('media:notify', onNotify);
    this.#socket.on('recording:state', onRecording);
    this.#socket.on('media:rebuild', onRebuild);
    this.#socket.on('media:replaced', onReplaced);
    this.#socket.io.on('reconnect', onReconnect);
    // The socket is shared with other hooks and outlives this room: leaving only removes our listeners.
    this.#unlisten = () => {
      this.#socket.off('media:notify', onNotify);
      this.#socket.off('recording:state', onRecording);
      this.#socket.off('media:rebuild', onRebuild);
      this.#socket.off('media:replaced', onReplaced);
      this.#socket.io.off('reconnect', onReconnect);
    };
  }

  get state(): RoomState {
    return this.#state;
  }

  join(): Promise<void> {
    this.#joining ??= this.#join().finally(() => (this.#joining = null));
    return this.#joining;
  }

  /** Acknowledges the recording notice, then publishes camera and microphone. */
  async consent(): Promise<void> {
    await request(this.#socket, { method: 'consent', data: {} });
    this.#set({ consented: true });
    await this.#publish();
  }

  async setMuted(kind: 'audio' | 'video', muted: boolean): Promise<void> {
    const producer = this.#producers.get(kind);
    if (!producer) return;
    if (muted) producer.pause();
    else producer.resume();
    await request(this.#socket, { method: 'setPaused', data: { producerId: producer.id, paused: muted } });
  }

  /**
   * Camera and microphone, opened once (the pre-join check shows them before consent; publishing
   * reuses the same stream, so the camera is not opened twice).
   */
  openLocalMedia(): Promise<MediaStream> {
    if (this.#state.localStream) return Promise.resolve(this.#state.localStream);
    this.#opening ??= navigator.mediaDevices.getUserMedia(this.#media).then(
      (stream) => {
        if (this.#closed) {
          stream.getTracks().forEach((t) => t.stop());
          throw new Error('room left');
        }
        this.#set({ localStream: stream });
        return stream;
      },
      (err: unknown) => {
        this.#opening = null;
        throw err;
      },
    );
    return this.#opening;
  }

  /** The pre-join bandwidth probe: sends data to the SFU for `ms` and reads what arrived. */
  probe(ms = 3000): Promise<ProbeResult> {
    return runProbe(this.#socket, ms);
  }

  /** The tile showing `peerId` is `height` device pixels high: the SFU forwards the layer that fits. */
  setTileSize(peerId: string, width: number, height: number): void {
    const h = Math.round(height);
    if (this.#tileHeights.get(peerId) === h) return;
    this.#tileHeights.set(peerId, h);
    const video = this.#state.remote.find(
      (r) => r.peerId === peerId && r.consumer.kind === 'video' && r.source !== 'screen',
    );
    if (video) this.#sendTileSize(video.consumer.id, width, h);
  }

  #sendTileSize(consumerId: string, width: number, height: number): void {
    const data = { consumerId, width: Math.min(16_384, Math.round(width)), height: Math.min(16_384, height) };
    void request(this.#socket, { method: 'setTileSize', data }).catch(() => undefined);
  }

  /**
   * Shares a screen or window (the browser's picker; clerks only, one share in the room at a time:
   * the server refuses with screen_share_forbidden / screen_share_busy, thrown as MediaRequestError).
   * The browser's own "stop sharing" ends it like stopScreenShare().
   */
  async shareScreen(): Promise<void> {
    if (!this.#device || this.#screenProducer) return;
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) throw new Error('no screen track');
    // A share of text and forms: keep it sharp rather than fluid.
    track.contentHint = 'detail';
    try {
      this.#send ??= await this.#createTransport('send');
      const producer = await this.#send.produce({ track, stopTracks: false, appData: { source: 'screen' } });
      this.#screenProducer = producer;
      track.addEventListener('ended', () => void this.stopScreenShare());
      this.#set({ screen: { peerId: this.#state.peerId ?? '', producerId: producer.id, stream, self: true } });
    } catch (err) {
      track.stop();
      throw err;
    }
  }

  /** Ends this page's screen share (the button, or the browser's "stop sharing"). */
  async stopScreenShare(): Promise<void> {
    const producer = this.#screenProducer;
    if (!producer) return;
    this.#screenProducer = null;
    const track = producer.track;
    producer.close();
    track?.stop();
    if (this.#state.screen?.self) this.#set({ screen: null });
    await request(this.#socket, { method: 'closeProducer', data: { producerId: producer.id } }).catch(() => undefined);
  }

  /** Tears local transports down and takes the seat again (after a blip or a server rebuild); then emits 'rejoined'. */
  async rejoin(): Promise<void> {
    if (this.#closed) return;
    this.#set({ phase: 'rejoining' });
    this.#teardown();
    await this.join();
    this.dispatchEvent(new Event('rejoined'));
  }

  /** Inbound RTP counters per consumed track: what tests and the UI's quality hint read. */
  async stats(): Promise<TrackStats[]> {
    const out: TrackStats[] = [];
    for (const { peerId, consumer } of this.#state.remote) {
      // A consumer closed meanwhile (a worker rebuild, a peer leaving) has nothing left to count.
      const report = consumer.closed ? null : await consumer.getStats().catch(() => null);
      report?.forEach((s: { type: string; framesDecoded?: number; packetsReceived?: number }) => {
        if (s.type !== 'inbound-rtp') return;
        out.push({
          peerId,
          kind: consumer.kind,
          framesDecoded: s.framesDecoded ?? 0,
          packetsReceived: s.packetsReceived ?? 0,
        });
      });
    }
    return out;
  }

  /** Outbound RTP counters per published track: the rate the others should receive. */
  async sendStats(): Promise<SendStats[]> {
    const out: SendStats[] = [];
    for (const [kind, producer] of this.#producers) {
      const report = await producer.getStats();
      // Simulcast: one outbound-rtp per layer, all from the same frames; a receiver gets one layer.
      const layers: SendLayer[] = [];
      let at = 0;
      let packetsSent = 0;
      report.forEach((s: OutboundRtp) => {
        if (s.type !== 'outbound-rtp') return;
        at = s.timestamp;
        packetsSent += s.packetsSent ?? 0;
        layers.push({
          rid: s.rid ?? null,
          height: s.frameHeight ?? null,
          framesSent: s.framesSent ?? 0,
          fps: s.framesPerSecond ?? null,
          limitation: s.qualityLimitationReason ?? null,
        });
      });
      if (layers.length === 0) continue;
      out.push({ kind, framesSent: Math.max(...layers.map((l) => l.framesSent)), packetsSent, at, layers });
    }
    return out;
  }

  async leave(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const left = request(this.#socket, { method: 'leave', data: {} }).catch(() => undefined);
    leaving.set(this.#socket, left);
    await left;
    this.#teardown();
    this.#streams.retain(new Set());
    this.#state.localStream?.getTracks().forEach((t) => t.stop());
    this.#set({ phase: 'left', localStream: null, streams: this.#streams.view });
    this.#unlisten();
  }

  async #join(): Promise<void> {
    performance.mark('tongban:join');
    try {
      await leaving.get(this.#socket);
      const joined = await request(this.#socket, { method: 'join', data: { sessionId: this.sessionId } });
      // Firefox and Safari get their own handlers; Chromium (also headless, which detection may not
      // name) uses Chrome111, the handler measured against the 3.8.4 server.
      const device = new Device({ handlerName: detectDevice() ?? 'Chrome111' });
      await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as unknown as types.RtpCapabilities });
      this.#device = device;
      this.#sendCapBps = joined.sendCapBps;
      if (!this.#ownMedia) this.#media = mediaFor(joined.camera);
      this.#recv = await this.#createTransport('recv');
      const peers = new Map(joined.peers.map((p) => [p.id, p]));
      // After a rejoin the peers still here keep their streams (and their tiles keep playing).
      this.#streams.retain(new Set(peers.keys()));
      this.#set({
        phase: 'joined',
        peerId: joined.peerId,
        consented: joined.consented,
        peers,
        streams: this.#streams.view,
        recording: joined.recording,
        error: null,
      });
      const announced = [...joined.producers, ...this.#pending.splice(0)];
      const unique = [...new Map(announced.map((p) => [p.id, p])).values()];
      await Promise.all(unique.map((p) => this.#consume(p).catch(() => undefined)));
      if (joined.consented) await this.#publish();
    } catch (err) {
      this.#set({ phase: 'failed', error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  async #createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const params = await request(this.#socket, { method: 'createTransport', data: { direction } });
    const options = params as unknown as types.TransportOptions;
    const transport =
      direction === 'send' ? this.#device!.createSendTransport(options) : this.#device!.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, ok, fail) => {
      request(this.#socket, { method: 'connectTransport', data: { transportId: transport.id, dtlsParameters } })
        .then(() => ok())
        .catch(fail);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, ok, fail) => {
        const source = appData.source === 'screen' ? ('screen' as const) : undefined;
        request(this.#socket, {
          method: 'produce',
          data: { transportId: transport.id, kind, rtpParameters, ...(source ? { source } : {}) },
        })
          .then(({ id }) => ok({ id }))
          .catch(fail);
      });
    }
    return transport;
  }

  async #publish(): Promise<void> {
    if (!this.#device || this.#producers.size > 0) return;
    const stream = await this.openLocalMedia();
    this.#send ??= await this.#createTransport('send');
    for (const track of stream.getTracks()) {
      const kind = track.kind as 'audio' | 'video';
      // Video: simulcast layers (those that fit the site's cap); the SFU picks one per receiver.
      const producer = await this.#send.produce({
        track,
        stopTracks: false,
        ...(kind === 'video'
          ? { encodings: layersUnderCap(this.#sendCapBps), codecOptions: { videoGoogleStartBitrate: 1000 } }
          : {}),
      });
      if (kind === 'video' && producer.rtpSender) {
        await keepResolution(producer.rtpSender);
        this.#stillHold = new FullResolutionHold(producer.rtpSender);
      }
      this.#producers.set(kind, producer);
    }
  }

  async #consume(p: ProducerView): Promise<void> {
    if (!this.#recv || !this.#device || p.peerId === this.#state.peerId) return;
    if (this.#state.remote.some((r) => r.consumer.producerId === p.id)) return;
    const c = await request(this.#socket, {
      method: 'consume',
      data: { transportId: this.#recv.id, producerId: p.id, rtpCapabilities: this.#device.rtpCapabilities },
    });
    const consumer = await this.#recv.consume({
      id: c.id,
      producerId: c.producerId,
      kind: c.kind,
      rtpParameters: c.rtpParameters as unknown as types.RtpParameters,
    });
    const remote: RemoteTrack = { peerId: c.peerId, source: p.source, consumer };
    if (p.source === 'screen') {
      const screen = { peerId: c.peerId, producerId: p.id, stream: new MediaStream([consumer.track]), self: false };
      this.#set({ remote: [...this.#state.remote, remote], screen });
    } else {
      this.#streams.add(c.peerId, consumer.track);
      this.#set({ remote: [...this.#state.remote, remote], streams: this.#streams.view });
    }
    await request(this.#socket, { method: 'resumeConsumer', data: { consumerId: c.id } });
    const height = this.#tileHeights.get(c.peerId);
    if (c.kind === 'video' && height !== undefined) this.#sendTileSize(c.id, (height * 4) / 3, height);
  }

  #onNotify(n: MediaNotification): void {
    switch (n.name) {
      case 'peerJoined':
      case 'peerUpdated':
        this.#set({ peers: new Map(this.#state.peers).set(n.data.id, n.data) });
        return;
      case 'peerLeft': {
        const peers = new Map(this.#state.peers);
        peers.delete(n.data.peerId);
        this.#dropRemote((r) => r.peerId === n.data.peerId && n.data.peerId !== this.#state.peerId);
        this.#streams.retain(new Set(peers.keys()));
        this.#set({ peers, streams: this.#streams.view });
        return;
      }
      case 'newProducer':
        if (this.#state.phase === 'joined' && this.#recv) void this.#consume(n.data).catch(() => undefined);
        else this.#pending.push(n.data);
        return;
      case 'producerClosed':
        this.#dropRemote((r) => r.consumer.producerId === n.data.producerId);
        return;
      case 'consumerClosed':
        this.#dropRemote((r) => r.consumer.id === n.data.consumerId);
        return;
      case 'screenShare':
        this.#set({ screenNotice: n.data });
        return;
      case 'activeSpeaker':
        this.#set({ activeSpeaker: n.data.peerId });
        return;
      case 'quality':
        this.#set({ quality: new Map(n.data.peers.map((q) => [q.peerId, q])) });
        return;
      case 'audioOnly':
        this.#set({ audioOnly: n.data.active });
        return;
      case 'stillCapture':
        void this.#stillHold?.hold(n.data.holdMs).catch(() => undefined);
        return;
      case 'producerPaused':
      case 'audioLevels':
      case 'consumerLayers':
        return;
    }
  }

  #dropRemote(match: (r: RemoteTrack) => boolean): void {
    const keep: RemoteTrack[] = [];
    for (const r of this.#state.remote) {
      if (match(r)) this.#closeRemote(r);
      else keep.push(r);
    }
    if (keep.length !== this.#state.remote.length) this.#set({ remote: keep });
  }

  #closeRemote(r: RemoteTrack): void {
    r.consumer.close();
    if (r.source !== 'screen') this.#streams.remove(r.peerId, r.consumer.track);
    else if (this.#state.screen?.producerId === r.consumer.producerId) this.#set({ screen: null });
  }

  /** Closes transports and consumers; the peers' streams stay (a rejoin refills them). */
  #teardown(): void {
    for (const r of this.#state.remote) this.#closeRemote(r);
    this.#send?.close();
    this.#recv?.close();
    this.#send = this.#recv = null;
    this.#producers.clear();
    this.#stillHold = undefined;
    // The share's producer went with the transport: a rejoin does not share again by itself.
    const shared = this.#screenProducer?.track;
    this.#screenProducer?.close();
    shared?.stop();
    this.#screenProducer = null;
    if (this.#state.screen?.self) this.#set({ screen: null });
    this.#pending = [];
    this.#set({ remote: [], audioOnly: false });
  }

  #set(patch: Partial<RoomState>): void {
    this.#state = { ...this.#state, ...patch };
    this.dispatchEvent(new Event('change'));
  }
}
