// One participant in a Room: owns its WebRTC transports, producers and consumers. The Room wires
// peers together; the Peer only keeps its own engine objects and closes them with itself.
import { EventEmitter } from 'node:events';
import type { ms } from './engine.js';
import { notFound } from './errors.js';
import type { LinkSample } from './link-quality.js';

export interface PeerIdentity {
  /** Stable across reconnects: `user:<userId>` or `guest:<sessionId>`. */
  readonly id: string;
  readonly displayName: string;
  readonly role: string;
  /** The staff member's site (its bandwidth cap applies); null for guests and site-less roles. */
  readonly siteId?: string | null;
}

export interface PeerInfo extends PeerIdentity {
  readonly consented: boolean;
  readonly audioMuted: boolean;
  readonly videoMuted: boolean;
}

export class Peer extends EventEmitter<{ closed: [] }> {
  readonly identity: PeerIdentity;
  consented: boolean;
  /** The site's cap on what this peer sends and what is sent to it (bit/s); null: uncapped. */
  sendCapBps: number | null = null;
  recvCapBps: number | null = null;
  /** Its video consumers are paused for a weak downlink (see AudioOnlyGate). */
  audioOnly = false;
  /** Consumers the client has resumed: what audio-only pauses and later resumes. */
  readonly resumed = new Set<string>();
  readonly #transports = new Map<string, ms.WebRtcTransport>();
  readonly #producers = new Map<string, ms.Producer>();
  readonly #consumers = new Map<string, ms.Consumer>();
  #closed = false;

  private constructor(identity: PeerIdentity, consented: boolean) {
    super();
    this.identity = identity;
    this.consented = consented;
  }

  static async create(identity: PeerIdentity, consented: boolean): Promise<Peer> {
    return new Peer(identity, consented);
  }

  get id(): string {
    return this.identity.id;
  }

  get closed(): boolean {
    return this.#closed;
  }

  addTransport(t: ms.WebRtcTransport): void {
    this.#transports.set(t.id, t);
    t.observer.once('close', () => this.#transports.delete(t.id));
  }

  get transportCount(): number {
    return this.#transports.size;
  }

  transports(direction: 'send' | 'recv'): ms.WebRtcTransport[] {
    return [...this.#transports.values()].filter((t) => t.appData.direction === direction);
  }

  transport(id: string): ms.WebRtcTransport {
    const t = this.#transports.get(id);
    if (!t) throw notFound('transport', id);
    return t;
  }

  addProducer(p: ms.Producer): void {
    this.#producers.set(p.id, p);
    p.observer.once('close', () => this.#producers.delete(p.id));
  }

  producer(id: string): ms.Producer {
    const p = this.#producers.get(id);
    if (!p) throw notFound('producer', id);
    return p;
  }

  producers(): ms.Producer[] {
    return [...this.#producers.values()];
  }

  addConsumer(c: ms.Consumer): void {
    this.#consumers.set(c.id, c);
    c.observer.once('close', () => {
      this.#consumers.delete(c.id);
      this.resumed.delete(c.id);
    });
  }

  consumer(id: string): ms.Consumer {
    const c = this.#consumers.get(id);
    if (!c) throw notFound('consumer', id);
    return c;
  }

  consumers(): ms.Consumer[] {
    return [...this.#consumers.values()];
  }

  /** Reads its link from the engine's stats: estimate towards it, loss both ways, RTT, send rate. */
  async sample(): Promise<LinkSample> {
    const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
    let availableBps: number | null = null;
    for (const t of this.transports('recv')) {
      const [s] = await t.getStats();
      const bps = num(s?.availableOutgoingBitrate);
      if (bps !== null && this.#consumers.size > 0) availableBps = Math.max(availableBps ?? 0, bps);
    }
    let sendBps = 0;
    let lossUp = 0;
    let lossDown = 0;
    let rttMs: number | null = null;
    for (const p of this.producers()) {
      if (p.paused) continue;
      for (const s of await p.getStats()) {
        sendBps += num(s.bitrate) ?? 0;
        lossUp = Math.max(lossUp, (num(s.fractionLost) ?? 0) / 256);
      }
    }
    for (const c of this.consumers()) {
      if (c.paused || c.producerPaused) continue;
      for (const s of await c.getStats()) {
        if (s.type !== 'outbound-rtp') continue;
        lossDown = Math.max(lossDown, (num(s.fractionLost) ?? 0) / 256);
        const rtt = num(s.roundTripTime);
        if (rtt !== null && rtt > 0) rttMs = Math.max(rttMs ?? 0, rtt);
      }
    }
    const sendsVideo = this.producers().some((p) => p.kind === 'video' && !p.paused);
    return { availableBps, sendBps, sendsVideo, lossUp, lossDown, rttMs };
  }

  info(): PeerInfo {
    const muted = (kind: 'audio' | 'video') => {
      // A screen share is not the camera: the camera's state is what the tile says.
      const list = this.producers().filter((p) => p.kind === kind && p.appData.source !== 'screen');
      return list.length === 0 || list.every((p) => p.paused);
    };
    return { ...this.identity, consented: this.consented, audioMuted: muted('audio'), videoMuted: muted('video') };
  }

  /** Idempotent; closing the transports closes every producer and consumer on them. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#transports.values()) t.close();
    this.#transports.clear();
    this.emit('closed');
  }
}
