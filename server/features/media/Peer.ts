// One participant in a Room: owns its WebRTC transports, producers and consumers. The Room wires
// peers together; the Peer only keeps its own engine objects and closes them with itself.
import { EventEmitter } from 'node:events';
import type { ms } from './engine.js';
import { notFound } from './errors.js';

export interface PeerIdentity {
  /** Stable across reconnects: `user:<userId>` or `guest:<sessionId>`. */
  readonly id: string;
  readonly displayName: string;
  readonly role: string;
}

export interface PeerInfo extends PeerIdentity {
  readonly consented: boolean;
  readonly audioMuted: boolean;
  readonly videoMuted: boolean;
}

export class Peer extends EventEmitter<{ closed: [] }> {
  readonly identity: PeerIdentity;
  consented: boolean;
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
    c.observer.once('close', () => this.#consumers.delete(c.id));
  }

  consumer(id: string): ms.Consumer {
    const c = this.#consumers.get(id);
    if (!c) throw notFound('consumer', id);
    return c;
  }

  consumers(): ms.Consumer[] {
    return [...this.#consumers.values()];
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
