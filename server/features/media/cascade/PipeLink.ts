// One end of a pipe between a session's rooms on two media nodes (the cascade, issue 14 §4): the
// steps of mediasoup's pipeToRouter done by hand across hosts. What this end's room has that did
// not come through this pipe (its own peers; at home also other satellites' piped-in ones) is sent
// to the other end: peers as identities, producers consumed into the pipe and produced over there
// with the same id, kind, RTP parameters and paused state. What the other end sends is added to this
// room as remote peers and their producers, so clients, the audio levels and the recorder treat
// them like local ones. Outgoing messages go one at a time, in order (a peer before its producers).
import { engineParameters, type ms } from '../engine.js';
import type { NodeRpc } from '../../../kernel/node-rpc.js';
import type { PeerInfo } from '../Peer.js';
import type { ProducerInfo, Room } from '../Room.js';
import { sourceOf } from '../Room.js';
import { methods, okReply, type PeerWire, type ProduceWire, type UnlinkReason } from '../../../../protocol/cascade.js';

export class PipeLink {
  readonly id: string;
  readonly room: Room;
  /** The node at the other end. */
  readonly remote: string;
  readonly transport: ms.PipeTransport;
  readonly #rpc: NodeRpc;
  readonly #log: (err: unknown) => void;
  /** Peers this pipe brought into the room: never sent back through it. */
  readonly #fromThere = new Set<string>();
  /** Producers received through the pipe, by id. */
  readonly #received = new Map<string, ms.Producer>();
  /** Producers consumed into the pipe (sent, or being sent), by id: each goes once. */
  readonly #sent = new Map<string, ms.Consumer | null>();
  #queue: Promise<void> = Promise.resolve();
  /** What the other end sends is applied in order; a satellite holds it until the home's snapshot is in. */
  #inbound: Promise<unknown>;
  #openInbound: () => void = () => undefined;
  #detach: (() => void) | undefined;
  #closed = false;
  /** Set once: told by the other end, or chosen here (see close). */
  closeReason: UnlinkReason | undefined;
  readonly #onClose: (reason: UnlinkReason, byRemote: boolean) => void;

  constructor(opts: {
    id: string;
    room: Room;
    remote: string;
    transport: ms.PipeTransport;
    rpc: NodeRpc;
    log: (err: unknown) => void;
    onClose: (reason: UnlinkReason, byRemote: boolean) => void;
    /** A satellite's link waits for the home's snapshot (openInbound) before applying anything else. */
    held?: boolean;
  }) {
    this.#inbound = opts.held ? new Promise<void>((resolve) => (this.#openInbound = resolve)) : Promise.resolve();
    this.id = opts.id;
    this.room = opts.room;
    this.remote = opts.remote;
    this.transport = opts.transport;
    this.#rpc = opts.rpc;
    this.#log = opts.log;
    this.#onClose = opts.onClose;
    // The router closed under it (room closed, worker died): the other end must know.
    this.transport.observer.once('close', () => this.close('closing'));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Applies a message from the other end after the ones before it (its reply waits for it). */
  inbound<T>(step: () => Promise<T> | T): Promise<T> {
    const run = this.#inbound.then(() => {
      if (this.#closed) throw new Error(`link ${this.id} closed`);
      return step();
    });
    this.#inbound = run.catch(() => undefined);
    return run;
  }

  /** The home's snapshot is applied: messages that came meanwhile follow. */
  openInbound(): void {
    this.#openInbound();
  }

  /** This end's peers and producers as they are now, the producers consumed into the pipe. */
  async snapshot(): Promise<{ peers: PeerWire[]; producers: ProduceWire[] }> {
    const peers = this.room.peers().filter((p) => !this.#fromThere.has(p.id));
    const producers: ProduceWire[] = [];
    for (const p of this.room.producers()) {
      if (this.#fromThere.has(p.peerId)) continue;
      const wire = await this.#consumeIntoPipe(p);
      if (wire) producers.push(wire);
    }
    return { peers: peers.map(peerWire), producers };
  }

  /** Starts following the room: every change (and, with `current`, what is in it now) goes to the other end. */
  start(current: boolean): void {
    const room = this.room;
    const mine = (peerId: string) => !this.#fromThere.has(peerId);
    const onPeer = (info: PeerInfo) => {
      if (mine(info.id)) this.#send(methods.peer, { link: this.id, peer: peerWire(info) });
    };
    const onLeft = (peerId: string) => {
      if (this.#fromThere.delete(peerId)) return;
      this.#send(methods.peerLeft, { link: this.id, peerId });
    };
    const onProducer = (p: ProducerInfo) => {
      if (mine(p.peerId)) this.#later(() => this.#pipeOut(p));
    };
    room.on('peerJoined', onPeer);
    room.on('peerUpdated', onPeer);
    room.on('peerLeft', onLeft);
    room.on('newProducer', onProducer);
    this.#detach = () => {
      room.off('peerJoined', onPeer);
      room.off('peerUpdated', onPeer);
      room.off('peerLeft', onLeft);
      room.off('newProducer', onProducer);
    };
    if (!current) return;
    for (const peer of room.peers()) onPeer(peer);
    for (const p of room.producers()) onProducer(p);
  }

  /** A peer (new, or its state changed) at the other end. */
  async receivePeer(wire: PeerWire): Promise<void> {
    const { consented, ...identity } = wire;
    if (this.#fromThere.has(wire.id) && this.room.hasPeer(wire.id)) {
      if (consented && !this.room.peer(wire.id).consented) this.room.consent(wire.id);
      return;
    }
    // The same participant connected here too (two tabs on two nodes): the local seat wins.
    if (this.room.hasPeer(wire.id)) return;
    this.#fromThere.add(wire.id);
    await this.room.joinRemote({ ...identity, siteId: identity.siteId ?? null }, consented);
  }

  /** Its piped producers go with it (a remote peer has no transport here to take them along). */
  receivePeerLeft(peerId: string): void {
    if (!this.#fromThere.has(peerId)) return;
    for (const p of [...this.#received.values()]) if (p.appData.peerId === peerId) p.close();
    this.room.leave(peerId);
  }

  /** A producer of the other end, produced on this end of the pipe with the same id. */
  async receiveProducer(p: ProduceWire): Promise<void> {
    if (!this.#fromThere.has(p.peerId) || !this.room.hasPeer(p.peerId))
      throw new Error(`producer ${p.id} of unknown peer ${p.peerId}`);
    const producer = await this.transport.produce({
      id: p.id,
      kind: p.kind,
      rtpParameters: engineParameters<ms.RtpParameters>(p.rtpParameters),
      paused: p.paused,
      appData: { peerId: p.peerId, source: p.source, piped: true },
    });
    this.#received.set(producer.id, producer);
    producer.observer.once('close', () => this.#received.delete(producer.id));
    await this.room.adoptProducer(p.peerId, producer);
  }

  async receivePaused(producerId: string, paused: boolean): Promise<void> {
    const producer = this.#received.get(producerId);
    if (!producer || producer.paused === paused) return;
    await this.room.setProducerPaused(String(producer.appData.peerId), producerId, paused);
  }

  receiveProducerClosed(producerId: string): void {
    this.#received.get(producerId)?.close();
  }

  /** One round trip: is the other end still there and does it still hold this link? */
  async ping(timeoutMs: number): Promise<void> {
    await this.#rpc.request(this.remote, methods.ping, { link: this.id }, okReply, timeoutMs);
  }

  /**
   * Idempotent. Closes this end (its pipe producers and consumers with it, the remote peers leave
   * the room) and, unless the other end closed it, tells the other end why.
   */
  close(reason: UnlinkReason, byRemote = false): void {
    if (this.#closed) return;
    this.#closed = true;
    this.closeReason = reason;
    this.#detach?.();
    this.transport.close();
    for (const peerId of [...this.#fromThere]) this.room.leave(peerId);
    this.#fromThere.clear();
    if (!byRemote)
      void this.#rpc
        .request(this.remote, methods.unlink, { link: this.id, reason }, okReply)
        .catch(() => undefined /* gone already: its own checks close its end */);
    this.#onClose(reason, byRemote);
  }

  /** Consumes the producer into the pipe and has the other end produce it; its pause and close follow. */
  async #pipeOut(p: ProducerInfo): Promise<void> {
    const wire = await this.#consumeIntoPipe(p);
    if (!wire) return;
    await this.#rpc.request(this.remote, methods.produce, { link: this.id, producer: wire }, okReply);
    if (wire.kind === 'video') await this.#sent.get(p.id)?.requestKeyFrame();
  }

  /**
   * The other end forwards nothing of a video until a keyframe has crossed the pipe (its pipe
   * producer has no stream before, so its receivers' keyframe requests go nowhere): asked for at
   * once when the other end is ready for it.
   */
  async requestKeyFrames(): Promise<void> {
    for (const c of this.#sent.values())
      if (c && c.kind === 'video' && !c.closed) await c.requestKeyFrame().catch(() => undefined);
  }

  /** The pipe's consumer of a producer (once per producer), its pause and close forwarded; undefined if gone. */
  async #consumeIntoPipe(p: ProducerInfo): Promise<ProduceWire | undefined> {
    if (this.#closed || this.#sent.has(p.id)) return undefined;
    const source = this.room.findProducer(p.id);
    if (!source || source.closed) return undefined;
    this.#sent.set(p.id, null);
    const consumer = await this.transport.consume({ producerId: p.id });
    this.#sent.set(p.id, consumer);
    consumer.on('producerclose', () => this.#send(methods.closeProducer, { link: this.id, producerId: p.id }));
    consumer.on('producerpause', () => this.#send(methods.paused, { link: this.id, producerId: p.id, paused: true }));
    consumer.on('producerresume', () => this.#send(methods.paused, { link: this.id, producerId: p.id, paused: false }));
    consumer.observer.once('close', () => this.#sent.delete(p.id));
    return {
      peerId: p.peerId,
      id: p.id,
      kind: consumer.kind,
      rtpParameters: engineParameters<ProduceWire['rtpParameters']>(consumer.rtpParameters),
      paused: consumer.producerPaused,
      source: sourceOf(source),
    };
  }

  #send(method: string, data: object): void {
    this.#later(async () => {
      await this.#rpc.request(this.remote, method, data, okReply);
    });
  }

  /** Runs `step` after the ones before it; a failure is logged, and the pipe goes on. */
  #later(step: () => Promise<void>): void {
    this.#queue = this.#queue.then(async () => {
      if (this.#closed) return;
      await step().catch((err: unknown) => {
        if (!this.#closed) this.#log(err);
      });
    });
  }
}

function peerWire(info: PeerInfo): PeerWire {
  return {
    id: info.id,
    displayName: info.displayName,
    role: info.role,
    siteId: info.siteId ?? null,
    consented: info.consented,
  };
}
