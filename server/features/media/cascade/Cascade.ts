// This media node's part in the cascade (issue 14 §4). A session has one home room, on the node the
// placement names; a participant whose media request reaches another node is served there, near
// it, in a satellite room piped to the home room (PipeLink), so everyone sees and hears everyone
// and the home's recorder records them all. The nodes talk over the shared Redis (NodeRpc). Both
// ends ping each other: a satellite that loses its home (no answer, or the home's room closed)
// tells its clients to rebuild and the session is placed anew, avoiding the lost node; a home that
// loses a satellite drops its peers. A satellite whose last local participant leaves unlinks.
import { randomUUID } from 'node:crypto';
import type { ms } from '../engine.js';
import type { MediaPlacement } from '../MediaPlacement.js';
import type { MediaService, RoomCascade } from '../MediaService.js';
import type { Room } from '../Room.js';
import { NodeRequestError, NodeUnreachableError, type NodeRpc } from '../../../kernel/node-rpc.js';
import { MediaNodeUnreachableError } from '../errors.js';
import { PipeLink } from './PipeLink.js';
import {
  keyFramesMessage,
  linkReply,
  linkRequest,
  methods,
  pausedMessage,
  peerLeftMessage,
  peerMessage,
  pingMessage,
  okReply,
  produceMessage,
  producerMessage,
  unlinkMessage,
  type LinkReply,
  type PipeEnd,
  type UnlinkReason,
} from '../../../../protocol/cascade.js';

export interface CascadeOptions {
  readonly rpc: NodeRpc;
  readonly placement: MediaPlacement;
  readonly media: MediaService;
  /** Where this node's ends of pipes listen (config media.pipeIp, else the WebRTC listen address). */
  readonly pipeIp: ms.TransportListenIp;
  readonly log: (err: unknown) => void;
  /** How often each end checks the other; two unanswered checks in a row lose the link. */
  readonly pingIntervalMs?: number;
  /** A satellite waits this long after its last local participant left before it unlinks (a reconnect is quicker). */
  readonly emptyGraceMs?: number;
}

interface Held {
  readonly link: PipeLink;
  readonly role: 'home' | 'satellite';
  /** The pings, once the pipe is connected. */
  timer?: NodeJS.Timeout;
}

export class Cascade implements RoomCascade {
  readonly #o: CascadeOptions;
  readonly #links = new Map<string, Held>();
  /** Nodes a session's satellite lost lately: placing it anew must not pick them (their heartbeat may linger). */
  readonly #avoid = new Map<string, { node: string; until: number }>();
  readonly #onEnded = (sessionId: string) => {
    for (const h of [...this.#links.values()]) if (h.link.room.sessionId === sessionId) h.link.close('ended');
  };
  #closed = false;

  constructor(options: CascadeOptions) {
    this.#o = options;
  }

  get nodeId(): string {
    return this.#o.rpc.nodeId;
  }

  /** The links this node holds now (for tests and figures). */
  links(): { id: string; sessionId: string; role: 'home' | 'satellite'; remote: string }[] {
    return [...this.#links.values()].map((h) => ({
      id: h.link.id,
      sessionId: h.link.room.sessionId,
      role: h.role,
      remote: h.link.remote,
    }));
  }

  async start(): Promise<void> {
    const { rpc } = this.#o;
    rpc.handle(methods.link, linkRequest, (req, from) => this.#acceptLink(req, from));
    const on = (id: string, step: (link: PipeLink) => Promise<void> | void) => {
      const link = this.#held(id);
      return link.inbound(() => step(link));
    };
    rpc.handle(methods.peer, peerMessage, (m) => on(m.link, (l) => l.receivePeer(m.peer)));
    rpc.handle(methods.peerLeft, peerLeftMessage, (m) => on(m.link, (l) => l.receivePeerLeft(m.peerId)));
    rpc.handle(methods.produce, produceMessage, (m) => on(m.link, (l) => l.receiveProducer(m.producer)));
    rpc.handle(methods.paused, pausedMessage, (m) => on(m.link, (l) => l.receivePaused(m.producerId, m.paused)));
    rpc.handle(methods.closeProducer, producerMessage, (m) => on(m.link, (l) => l.receiveProducerClosed(m.producerId)));
    rpc.handle(methods.unlink, unlinkMessage, async (m) => this.#links.get(m.link)?.link.close(m.reason, true));
    rpc.handle(methods.ping, pingMessage, async (m) => void this.#held(m.link));
    rpc.handle(methods.keyFrames, keyFramesMessage, (m) => on(m.link, (l) => l.requestKeyFrames()));
    await rpc.start();
    this.#o.media.useCascade(this);
    this.#o.media.on('ended', this.#onEnded);
  }

  /** The node holding the session's home room; null when it is this one (or no node is registered). */
  async homeOf(sessionId: string): Promise<string | null> {
    const avoid = this.#avoid.get(sessionId);
    if (avoid && avoid.until < Date.now()) this.#avoid.delete(sessionId);
    const home = await this.#o.placement.place(sessionId, this.#avoid.get(sessionId)?.node);
    return home === undefined || home === this.nodeId ? null : home;
  }

  /** Pipes a fresh satellite room to the home room on `home`; rejects (503) when the home does not answer. */
  async link(room: Room, home: string): Promise<void> {
    const transport = await this.#pipeTransport(room);
    const id = randomUUID();
    // Held before asking: the home starts sending its peers as soon as it has answered.
    const held = this.#hold(new PipeLink({ ...this.#linkParts(id, room, home, transport), held: true }), 'satellite');
    try {
      const there = await this.#o.rpc.request(
        home,
        methods.link,
        { sessionId: room.sessionId, link: id, ...endOf(transport) },
        linkReply,
      );
      await transport.connect({ ip: there.ip, port: there.port, srtpParameters: there.srtpParameters });
      // The home's participants are in this room before the joining client is answered.
      for (const peer of there.peers) await held.link.receivePeer(peer);
      for (const p of there.producers) await held.link.receiveProducer(p);
      held.link.openInbound();
      // This end now receives: the home's videos can start (see PipeLink.requestKeyFrames).
      void this.#o.rpc.request(home, methods.keyFrames, { link: id }, okReply).catch(this.#o.log);
    } catch (err) {
      this.#release(held);
      held.link.close('closing', true);
      if (err instanceof NodeUnreachableError) this.#lost(room.sessionId, home);
      throw new MediaNodeUnreachableError(err instanceof Error ? err.message : String(err));
    }
    held.link.start(true);
    held.timer = this.#watch(held.link);
    room.on('peerLeft', () => this.#unlinkWhenEmpty(held.link));
  }

  /** Stops answering and closes every link (the rooms themselves are the media service's). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#o.media.off('ended', this.#onEnded);
    for (const h of [...this.#links.values()]) h.link.close('closing');
    this.#o.rpc.close();
  }

  async #acceptLink(req: PipeEnd & { sessionId: string; link: string }, from: string): Promise<LinkReply> {
    if (this.#closed) throw new Error('node stopping');
    const room = await this.#o.media.room(req.sessionId);
    if (this.#o.media.isSatellite(room)) throw new Error(`${this.nodeId} is not the home of this session`);
    const transport = await this.#pipeTransport(room);
    try {
      await transport.connect({ ip: req.ip, port: req.port, srtpParameters: req.srtpParameters });
    } catch (err) {
      transport.close();
      throw err;
    }
    const held = this.#hold(new PipeLink(this.#linkParts(req.link, room, from, transport)), 'home');
    // Changes from now on follow the snapshot (the satellite applies them after it; duplicates are skipped).
    held.link.start(false);
    const snapshot = await held.link.snapshot();
    held.timer = this.#watch(held.link);
    return { ...endOf(transport), ...snapshot };
  }

  #linkParts(id: string, room: Room, remote: string, transport: ms.PipeTransport) {
    return {
      id,
      room,
      remote,
      transport,
      rpc: this.#o.rpc,
      log: this.#o.log,
      onClose: (reason: UnlinkReason, byRemote: boolean) => this.#linkClosed(id, reason, byRemote),
    };
  }

  #hold(link: PipeLink, role: Held['role']): Held {
    const held: Held = { link, role };
    this.#links.set(link.id, held);
    return held;
  }

  #release(held: Held): void {
    clearInterval(held.timer);
    if (this.#links.get(held.link.id) === held) this.#links.delete(held.link.id);
  }

  /** Pings the other end; two missed answers in a row, or an answer that it no longer holds the link, lose it. */
  #watch(link: PipeLink): NodeJS.Timeout {
    const interval = this.#o.pingIntervalMs ?? 1000;
    let missed = 0;
    let busy = false;
    const timer = setInterval(() => {
      if (busy || link.closed) return;
      busy = true;
      link
        .ping(interval * 1.5)
        .then(
          () => (missed = 0),
          (err: unknown) => {
            const gone = err instanceof NodeRequestError || ++missed >= 2;
            if (!gone || link.closed) return;
            if (err instanceof NodeUnreachableError) this.#lost(link.room.sessionId, link.remote);
            link.close('closing', err instanceof NodeRequestError);
          },
        )
        .finally(() => (busy = false));
    }, interval);
    timer.unref();
    return timer;
  }

  #linkClosed(id: string, reason: UnlinkReason, byRemote: boolean): void {
    const held = this.#links.get(id);
    if (!held) return;
    this.#release(held);
    const { room } = held.link;
    if (this.#closed || room.closed) return;
    if (reason === 'ended' && byRemote) {
      void this.#o.media.endSession(room.sessionId).catch(this.#o.log);
      return;
    }
    // The home is gone (stopping, its room closed, or silent): this satellite's clients rebuild
    // and the session is placed anew. A home only loses the satellite's peers (PipeLink.close).
    if (held.role === 'satellite' && reason === 'closing')
      void this.#o.media.relocate(room.sessionId, room).catch(this.#o.log);
  }

  #unlinkWhenEmpty(link: PipeLink): void {
    const timer = setTimeout(() => {
      const { room } = link;
      if (link.closed || room.closed || room.peers().some((p) => !room.isRemote(p.id))) return;
      link.close('left');
      void this.#o.media.dropRoom(room.sessionId, room).catch(this.#o.log);
    }, this.#o.emptyGraceMs ?? 2000);
    timer.unref();
  }

  #lost(sessionId: string, node: string): void {
    this.#avoid.set(sessionId, { node, until: Date.now() + this.#o.placement.times.placementTtlMs });
  }

  #held(linkId: string): PipeLink {
    const held = this.#links.get(linkId);
    if (!held || held.link.closed) throw new Error(`no link ${linkId} here`);
    return held.link;
  }

  #pipeTransport(room: Room): Promise<ms.PipeTransport> {
    // RTX lets the pipe recover its own losses between hosts; SRTP keeps the media private on the wire.
    return room.router.createPipeTransport({ listenIp: this.#o.pipeIp, enableRtx: true, enableSrtp: true });
  }
}

function endOf(transport: ms.PipeTransport): PipeEnd {
  return {
    ip: transport.tuple.localIp,
    port: transport.tuple.localPort,
    ...(transport.srtpParameters ? { srtpParameters: transport.srtpParameters } : {}),
  };
}
