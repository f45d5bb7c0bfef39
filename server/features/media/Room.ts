// A session's media room: one router on one worker, the peers in it and an audio-level observer.
// Peers own their engine objects; the Room checks the rules (consent before producing, consume only
// what the router can deliver) and tells listeners what changed.
import { EventEmitter } from 'node:events';
import { forwardedWhateverItsScore, mediaCodecs, type ms } from './engine.js';
import { BadRequestError, ConflictError } from '../../kernel/errors.js';
import { ConsentRequiredError, ScreenShareBusyError, notFound } from './errors.js';
import { Peer, type PeerIdentity, type PeerInfo } from './Peer.js';
import { AudioOnlyGate, downlinkCongested, qualityOf, spatialLayerFor, type GateAction } from './link-quality.js';
import {
  cameraCapture,
  simulcastLayers,
  type CameraCapture,
  type MediaStatsView,
  type PeerQuality,
  type ProducerSource,
  type ScreenShareView,
} from '../../../protocol/media.js';

export interface ProducerInfo {
  readonly id: string;
  readonly peerId: string;
  readonly kind: 'audio' | 'video';
  readonly source: ProducerSource;
  readonly paused: boolean;
}

export interface TransportParams {
  readonly id: string;
  readonly iceParameters: ms.IceParameters;
  readonly iceCandidates: ms.IceCandidate[];
  readonly dtlsParameters: ms.DtlsParameters;
}

export interface ConsumerParams {
  readonly id: string;
  readonly producerId: string;
  readonly peerId: string;
  readonly kind: 'audio' | 'video';
  readonly rtpParameters: ms.RtpParameters;
}

export interface RoomOptions {
  readonly sessionId: string;
  readonly worker: ms.Worker;
  readonly listenIps: ms.TransportListenIp[];
  /** Gives up on a WebRTC transport whose DTLS has not connected this long after the client's connect. */
  readonly connectTimeoutMs?: number;
  /** The bandwidth cap (bit/s) of a peer's site, both ways; null: uncapped. */
  readonly capOf?: (identity: PeerIdentity) => number | null;
  /** What the clients capture: the simulcast layers' heights follow from it. */
  readonly camera?: CameraCapture;
  /** Link sampling: quality pushes and the audio-only fallback (see AudioOnlyGate). */
  readonly link?: { readonly intervalMs?: number; readonly audioOnlyFloorBps?: number };
}

/** What the SFU starts sending to a receiver before its estimate exists (mediasoup's default). */
const initialOutgoingBps = 600_000;
/** A lifted receive cap: mediasoup keeps a maximum once set, so "none" is a very high one. */
const uncappedBps = 100_000_000;

/** A send and a receive transport, plus room for renegotiation; more is abuse (each holds ports). */
const maxTransportsPerPeer = 4;

type RoomEvents = {
  closed: [];
  /** The worker died under this room: the router is gone and the room must be rebuilt. */
  workerDied: [];
  peerJoined: [PeerInfo];
  peerLeft: [string];
  peerUpdated: [PeerInfo];
  newProducer: [ProducerInfo];
  producerClosed: [ProducerInfo];
  producerPaused: [ProducerInfo];
  /** A screen share started or ended (its producer is also in newProducer / producerClosed). */
  screenShare: [ScreenShareView];
  consumerClosed: [peerId: string, consumerId: string];
  activeSpeaker: [peerId: string | null];
  audioLevels: [{ peerId: string; volume: number }[]];
  quality: [PeerQuality[]];
  audioOnly: [peerId: string, active: boolean, availableKbps: number | null];
  consumerLayers: [peerId: string, consumerId: string, spatialLayer: number | null];
  stillCapture: [peerId: string, holdMs: number];
};

export class Room extends EventEmitter<RoomEvents> {
  readonly sessionId: string;
  readonly #router: ms.Router;
  readonly #levels: ms.AudioLevelObserver;
  readonly #listenIps: ms.TransportListenIp[];
  readonly #connectTimeoutMs: number;
  readonly #peers = new Map<string, Peer>();
  /** Peers served by another node, present here through a pipe (see joinRemote). */
  readonly #remote = new Set<string>();
  readonly #capOf: (identity: PeerIdentity) => number | null;
  readonly #floorBps: number;
  readonly #layerHeights: readonly number[];
  readonly #gates = new WeakMap<Peer, AudioOnlyGate>();
  readonly #linkTimer: NodeJS.Timeout;
  #sampling = false;
  /** The peer whose screen share is being set up or running: one at a time (see produce). */
  #screenSharer: string | null = null;
  #closed = false;

  private constructor(opts: RoomOptions, router: ms.Router, levels: ms.AudioLevelObserver) {
    super();
    this.sessionId = opts.sessionId;
    this.#router = router;
    this.#levels = levels;
    this.#listenIps = opts.listenIps;
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 30_000;
    this.#capOf = opts.capOf ?? (() => null);
    this.#floorBps = opts.link?.audioOnlyFloorBps ?? 150_000;
    const camera = opts.camera ?? cameraCapture;
    this.#layerHeights = simulcastLayers.map((l) => camera.height / l.scaleResolutionDownBy);
    this.#linkTimer = setInterval(() => void this.#sampleLinks(), opts.link?.intervalMs ?? 1000);
    this.#linkTimer.unref();
    router.on('workerclose', () => {
      this.emit('workerDied');
      this.close();
    });
    levels.on('volumes', (volumes: ms.AudioLevelObserverVolume[]) =>
      this.emit(
        'audioLevels',
        volumes.map((v) => ({ peerId: String(v.producer.appData.peerId), volume: v.volume })),
      ),
    );
    levels.on('silence', () => this.emit('activeSpeaker', null));
    let speaker: string | null = null;
    this.on('audioLevels', (list) => {
      const loudest = list[0]?.peerId ?? null;
      if (loudest !== speaker) this.emit('activeSpeaker', (speaker = loudest));
    });
  }

  static async create(opts: RoomOptions): Promise<Room> {
    const router = await opts.worker.createRouter({ mediaCodecs });
    const levels = await router.createAudioLevelObserver({ maxEntries: 3, threshold: -70, interval: 800 });
    return new Room(opts, router, levels);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): ms.RtpCapabilities {
    return this.#router.rtpCapabilities;
  }

  /** For the recorder: it taps producers through plain transports on the same router. */
  get router(): ms.Router {
    return this.#router;
  }

  peers(): PeerInfo[] {
    return [...this.#peers.values()].map((p) => p.info());
  }

  /** One peer's current view; 404 when it is not in the room. */
  peer(peerId: string): PeerInfo {
    const peer = this.#peers.get(peerId);
    if (!peer) throw notFound('peer', peerId);
    return peer.info();
  }

  producers(): ProducerInfo[] {
    return [...this.#peers.values()].flatMap((peer) => peer.producers().map((p) => producerInfo(peer.id, p)));
  }

  findProducer(producerId: string): ms.Producer | undefined {
    for (const peer of this.#peers.values()) {
      const p = peer.producers().find((x) => x.id === producerId);
      if (p) return p;
    }
    return undefined;
  }

  holdFullResolution(peerId: string, holdMs: number): void {
    if (this.#peers.has(peerId)) this.emit('stillCapture', peerId, holdMs);
  }

  hasPeer(peerId: string): boolean {
    return this.#peers.has(peerId);
  }

  /** A peer with the same identity (a reconnect after a blip) replaces the old one. */
  async join(identity: PeerIdentity, consented: boolean): Promise<PeerInfo> {
    return this.#join(identity, consented, false);
  }

  /**
   * A participant served by another media node (the cascade): its producers come in through a pipe
   * (adoptProducer), it has no transports here, and its presence is written where it connected.
   */
  async joinRemote(identity: PeerIdentity, consented: boolean): Promise<PeerInfo> {
    return this.#join(identity, consented, true);
  }

  isRemote(peerId: string): boolean {
    return this.#remote.has(peerId);
  }

  async #join(identity: PeerIdentity, consented: boolean, remote: boolean): Promise<PeerInfo> {
    this.leave(identity.id);
    const peer = await Peer.create(identity, consented);
    peer.sendCapBps = peer.recvCapBps = this.#capOf(identity);
    this.#gates.set(peer, new AudioOnlyGate({ floorBps: this.#floorBps }));
    this.#peers.set(peer.id, peer);
    if (remote) this.#remote.add(peer.id);
    peer.once('closed', () => {
      if (this.#peers.get(peer.id) === peer) this.#peers.delete(peer.id);
      this.emit('peerLeft', peer.id);
      if (!this.#peers.has(peer.id)) this.#remote.delete(peer.id);
    });
    this.emit('peerJoined', peer.info());
    return peer.info();
  }

  leave(peerId: string): void {
    this.#peers.get(peerId)?.close();
  }

  consent(peerId: string): PeerInfo {
    const peer = this.#peer(peerId);
    peer.consented = true;
    this.emit('peerUpdated', peer.info());
    return peer.info();
  }

  async createTransport(peerId: string, direction: 'send' | 'recv'): Promise<TransportParams> {
    const peer = this.#peer(peerId);
    if (peer.transportCount >= maxTransportsPerPeer)
      throw new ConflictError('too many transports for this participant', 'too_many_transports');
    const t = await this.#router.createWebRtcTransport({
      listenIps: this.#listenIps,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      // mediasoup refuses a maximum below the initial estimate: a capped receiver starts at its cap.
      initialAvailableOutgoingBitrate: Math.min(initialOutgoingBps, peer.recvCapBps ?? initialOutgoingBps),
      appData: { peerId, direction },
    });
    peer.addTransport(t);
    // The sender's browser is told (REMB / transport-cc feedback) to keep under its site's cap.
    if (direction === 'send' && peer.sendCapBps !== null) await t.setMaxIncomingBitrate(peer.sendCapBps);
    t.on('dtlsstatechange', (state: ms.DtlsState) => {
      if (state === 'failed' || state === 'closed') t.close();
      // A client resumes its consumers while DTLS is still being set up, so the keyframe asked for
      // then is lost; without another request its picture waits for the sender's next keyframe.
      if (state === 'connected') this.#requestKeyFrames(peer);
    });
    return {
      id: t.id,
      iceParameters: t.iceParameters,
      iceCandidates: t.iceCandidates,
      dtlsParameters: t.dtlsParameters,
    };
  }

  /** A client that starts connecting but never completes ICE/DTLS must not hold the transport forever. */
  async connectTransport(peerId: string, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    const t = this.#peer(peerId).transport(transportId);
    await t.connect({ dtlsParameters });
    const timer = setTimeout(() => {
      if (t.dtlsState !== 'connected') t.close();
    }, this.#connectTimeoutMs);
    timer.unref();
    t.observer.once('close', () => clearTimeout(timer));
  }

  /**
   * Who may share a screen is the caller's check (by role); the room keeps one share at a time: the
   * sharer's own new share replaces its old one (another window), anyone else's is refused.
   */
  async produce(
    peerId: string,
    transportId: string,
    kind: 'audio' | 'video',
    rtpParameters: ms.RtpParameters,
    source: ProducerSource = kind === 'audio' ? 'microphone' : 'camera',
  ): Promise<ProducerInfo> {
    const peer = this.#peer(peerId);
    if (!peer.consented) throw new ConsentRequiredError();
    if (kind === 'audio' ? source !== 'microphone' : source === 'microphone')
      throw new BadRequestError(`a ${kind} track cannot be the ${source}`);
    if (source === 'screen') {
      const sharer = this.#screenSharer;
      if (sharer !== null && sharer !== peerId)
        throw new ScreenShareBusyError(this.#peers.get(sharer)?.identity.displayName ?? sharer);
      for (const old of peer.producers()) if (old.appData.source === 'screen') old.close();
      // Claimed before the engine call: two clerks starting at once must not both get through.
      this.#screenSharer = peerId;
    }
    const producer = await peer
      .transport(transportId)
      .produce({
        kind,
        rtpParameters: forwardedWhateverItsScore(rtpParameters),
        appData: { peerId, source },
      })
      .catch((err: unknown) => {
        if (source === 'screen' && this.#screenSharer === peerId && !this.#sharing(peer)) this.#screenSharer = null;
        throw err;
      });
    return this.#adopt(peer, producer, source);
  }

  /** A producer made outside the peer's transports (a pipe's, for a remote peer) joins the room like its own. */
  async adoptProducer(peerId: string, producer: ms.Producer): Promise<ProducerInfo> {
    return this.#adopt(this.#peer(peerId), producer, sourceOf(producer));
  }

  async #adopt(peer: Peer, producer: ms.Producer, source: ProducerSource): Promise<ProducerInfo> {
    const peerId = peer.id;
    const kind = producer.kind;
    peer.addProducer(producer);
    const info = () => producerInfo(peerId, producer);
    producer.observer.once('close', () => {
      this.emit('producerClosed', info());
      if (source !== 'screen') return;
      if (this.#screenSharer === peerId && !this.#sharing(peer)) this.#screenSharer = null;
      this.emit('screenShare', this.#shareView(peer, producer.id, false));
    });
    if (source === 'screen') this.emit('screenShare', this.#shareView(peer, producer.id, true));
    if (kind === 'audio') await this.#levels.addProducer({ producerId: producer.id }).catch(() => undefined);
    else this.#keyFrameWhenFlowResumes(producer);
    this.emit('newProducer', info());
    this.emit('peerUpdated', peer.info());
    return info();
  }

  async setProducerPaused(peerId: string, producerId: string, paused: boolean): Promise<ProducerInfo> {
    const peer = this.#peer(peerId);
    const producer = peer.producer(producerId);
    if (paused) await producer.pause();
    else await producer.resume();
    const info = producerInfo(peerId, producer);
    this.emit('producerPaused', info);
    this.emit('peerUpdated', peer.info());
    return info;
  }

  async closeProducer(peerId: string, producerId: string): Promise<void> {
    this.#peer(peerId).producer(producerId).close();
  }

  /** Consumers start paused; the client resumes once its side is ready (see resumeConsumer). */
  async consume(
    peerId: string,
    transportId: string,
    producerId: string,
    rtpCapabilities: ms.RtpCapabilities,
  ): Promise<ConsumerParams> {
    const peer = this.#peer(peerId);
    const transport = peer.transport(transportId);
    const producer = this.findProducer(producerId);
    if (!producer) throw notFound('producer', producerId);
    if (!this.#router.canConsume({ producerId, rtpCapabilities })) {
      throw notFound('producer', `${producerId} (not consumable with these capabilities)`);
    }
    const consumer = await transport.consume({ producerId, rtpCapabilities, paused: true });
    peer.addConsumer(consumer);
    // Only once a consumer exists does the transport have a congestion controller to hold the cap.
    if (peer.recvCapBps !== null) await transport.setMaxOutgoingBitrate(peer.recvCapBps).catch(() => undefined);
    const gone = () => this.emit('consumerClosed', peerId, consumer.id);
    consumer.on('producerclose', gone);
    consumer.on('layerschange', (layers?: ms.ConsumerLayers) =>
      this.emit('consumerLayers', peerId, consumer.id, layers?.spatialLayer ?? null),
    );
    return {
      id: consumer.id,
      producerId,
      peerId: String(producer.appData.peerId),
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
    };
  }

  /** Resuming a video consumer asks its sender for a keyframe, so late joiners see a picture at once. */
  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    const peer = this.#peer(peerId);
    const consumer = peer.consumer(consumerId);
    peer.resumed.add(consumerId);
    // Audio-only holds video back; it is resumed with the rest when the downlink recovers.
    if (consumer.kind === 'video' && peer.audioOnly) return;
    await consumer.resume();
    if (consumer.kind === 'video') await consumer.requestKeyFrame();
  }

  /** The receiver's tile for this consumer is `height` device pixels high: forward the layer that fits. */
  async setTileSize(peerId: string, consumerId: string, height: number): Promise<number> {
    const consumer = this.#peer(peerId).consumer(consumerId);
    const spatialLayer = spatialLayerFor(height, this.#layerHeights);
    if (consumer.type === 'simulcast' || consumer.type === 'svc')
      await consumer.setPreferredLayers({ spatialLayer, temporalLayer: 2 });
    return consumer.preferredLayers?.spatialLayer ?? spatialLayer;
  }

  /** A runtime receive cap for one peer (bit/s; null lifts it), e.g. an operator or a test shaping a link. */
  async setReceiveCap(peerId: string, bps: number | null): Promise<void> {
    const peer = this.#peer(peerId);
    peer.recvCapBps = bps;
    for (const t of peer.transports('recv')) await t.setMaxOutgoingBitrate(bps ?? uncappedBps);
  }

  /** The caller's receive side: its consumers and their layers, audio-only, the estimate towards it. */
  async stats(peerId: string): Promise<MediaStatsView> {
    const peer = this.#peer(peerId);
    const sample = await peer.sample();
    return {
      audioOnly: peer.audioOnly,
      availableKbps: kbps(sample.availableBps),
      recvCapBps: peer.recvCapBps,
      consumers: peer.consumers().map((c) => ({
        id: c.id,
        producerId: c.producerId,
        peerId: String(this.findProducer(c.producerId)?.appData.peerId ?? ''),
        kind: c.kind,
        paused: c.paused,
        preferredSpatialLayer: c.preferredLayers?.spatialLayer ?? null,
        currentSpatialLayer: c.currentLayers?.spatialLayer ?? null,
        score: c.score?.score ?? null,
      })),
      producers: await Promise.all(
        peer.producers().map(async (p) => {
          const streams = await p.getStats();
          const sum = (f: (s: ms.ProducerStat) => number) => streams.reduce((a, s) => a + f(s), 0);
          return {
            id: p.id,
            kind: p.kind,
            paused: p.paused,
            streams: streams.length,
            byteCount: sum((s) => s.byteCount),
            kbps: Math.round(sum((s) => s.bitrate) / 1000),
          };
        }),
      ),
    };
  }

  /** Once per interval: every peer's link → quality for all, audio-only engaged or released per receiver. */
  async #sampleLinks(): Promise<void> {
    if (this.#sampling || this.#closed) return;
    this.#sampling = true;
    try {
      const quality: PeerQuality[] = [];
      for (const peer of [...this.#peers.values()]) {
        if (peer.closed || peer.transportCount === 0) continue;
        const sample = await peer.sample().catch(() => null);
        if (!sample || peer.closed) continue;
        const congested = downlinkCongested(sample, peer.recvCapBps, this.#floorBps);
        const action = this.#gates.get(peer)?.next(sample.availableBps, congested) ?? null;
        if (action) await this.#applyGate(peer, action, kbps(sample.availableBps)).catch(() => undefined);
        quality.push({
          peerId: peer.id,
          level: qualityOf(sample, peer.audioOnly),
          lossPct: Math.round(1000 * Math.max(sample.lossUp, sample.lossDown)) / 10,
          rttMs: sample.rttMs === null ? null : Math.round(sample.rttMs),
          sendKbps: kbps(sample.sendBps) ?? 0,
          availableKbps: kbps(sample.availableBps),
          audioOnly: peer.audioOnly,
        });
      }
      if (quality.length > 0 && !this.#closed) this.emit('quality', quality);
    } finally {
      this.#sampling = false;
    }
  }

  async #applyGate(peer: Peer, action: GateAction, availableKbps: number | null): Promise<void> {
    const videos = peer.consumers().filter((c) => c.kind === 'video' && peer.resumed.has(c.id));
    if (action === 'engage' || action === 'release') {
      peer.audioOnly = action === 'engage';
      this.emit('audioOnly', peer.id, peer.audioOnly, availableKbps);
    }
    // A probe sends video again while the user still sees audio only (see AudioOnlyGate).
    const resume = action === 'release' || action === 'probe';
    for (const c of videos) {
      if (c.closed) continue;
      if (resume) {
        await c.resume();
        await c.requestKeyFrame();
      } else await c.pause();
    }
  }

  /**
   * After a network outage a sender resumes with frames that depend on the ones lost; receivers
   * (and the recorder) would wait seconds for NACK retries to give up before a keyframe is asked
   * for. The worker scores a stream 0 after 1.5 s without packets: when it scores again, ask at once.
   */
  #keyFrameWhenFlowResumes(producer: ms.Producer): void {
    let silent = false;
    producer.on('score', (scores: ms.ProducerScore[]) => {
      if (Math.max(0, ...scores.map((s) => s.score)) === 0) silent = true;
      else if (silent) {
        silent = false;
        for (const peer of this.#peers.values())
          for (const c of peer.consumers())
            if (c.producerId === producer.id && !c.closed) void c.requestKeyFrame().catch(() => undefined);
      }
    });
  }

  #requestKeyFrames(peer: Peer): void {
    for (const c of peer.consumers()) {
      if (c.kind === 'video' && !c.paused && !c.closed) void c.requestKeyFrame().catch(() => undefined);
    }
  }

  /** Idempotent. Closing the router closes every transport, producer and consumer. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#linkTimer);
    for (const peer of this.#peers.values()) peer.close();
    this.#peers.clear();
    this.#router.close();
    this.emit('closed');
  }

  #sharing(peer: Peer): boolean {
    return !peer.closed && peer.producers().some((p) => p.appData.source === 'screen' && !p.closed);
  }

  #shareView(peer: Peer, producerId: string, sharing: boolean): ScreenShareView {
    return { peerId: peer.id, displayName: peer.identity.displayName, producerId, sharing };
  }

  #peer(peerId: string): Peer {
    const peer = this.#peers.get(peerId);
    if (!peer) throw notFound('peer', peerId);
    return peer;
  }
}

function kbps(bps: number | null): number | null {
  return bps === null ? null : Math.round(bps / 1000);
}

function producerInfo(peerId: string, p: ms.Producer): ProducerInfo {
  return { id: p.id, peerId, kind: p.kind, source: sourceOf(p), paused: p.paused };
}

/** What a producer shows, as given when it was created (Room.produce). */
export function sourceOf(p: ms.Producer): ProducerSource {
  const s = p.appData.source;
  return s === 'screen' || s === 'camera' || s === 'microphone' ? s : p.kind === 'audio' ? 'microphone' : 'camera';
}
