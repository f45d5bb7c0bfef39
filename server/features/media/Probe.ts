// The pre-join bandwidth probe: a client sends data over a data channel for a few seconds, paced at
// up to probeCeilingKbps, to a transport of its own on a router that forwards nothing and records
// nothing; what arrived per second after the first half second is its uplink's usable rate.
// Data, not the camera: a camera sends only what its encoder makes of the picture (Chromium's fake
// camera at 640×360: ~150 kbit/s against a 2.5 Mbit/s target on a perfect link), so it measured the
// picture, not the link. SCTP's congestion control fills a slower link up to what it carries.
import type { ms } from './engine.js';
import { ConflictError } from '../../kernel/errors.js';
import type { ProbeResult } from '../../../protocol/media.js';
import type { TransportParams } from './Room.js';

/** A probe that is never read (page closed) frees its port after this long. */
const probeLifetimeMs = 30_000;
/** The sender's first half second (SCTP slow start, a link's queue filling) is not counted. */
const warmupMs = 500;
const sampleEveryMs = 100;

interface Sample {
  readonly at: number;
  /** Every byte the transport received (ICE, DTLS, SCTP), and the channel's delivered bytes. */
  readonly wire: number;
  readonly data: number;
}

export class Probe {
  readonly #transport: ms.WebRtcTransport;
  #producer: ms.DataProducer | null = null;
  #producedAt = 0;
  readonly #samples: Sample[] = [];

  private constructor(transport: ms.WebRtcTransport) {
    this.#transport = transport;
    const timer = setTimeout(() => transport.close(), probeLifetimeMs);
    timer.unref();
    transport.observer.once('close', () => clearTimeout(timer));
  }

  static async open(router: ms.Router, listenIps: ms.TransportListenIp[]): Promise<Probe> {
    const transport = await router.createWebRtcTransport({
      listenIps,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      enableSctp: true,
      appData: { probe: true },
    });
    return new Probe(transport);
  }

  get closed(): boolean {
    return this.#transport.closed;
  }

  get params(): TransportParams & { sctpParameters: ms.SctpParameters } {
    const t = this.#transport;
    return {
      id: t.id,
      iceParameters: t.iceParameters,
      iceCandidates: t.iceCandidates,
      dtlsParameters: t.dtlsParameters,
      sctpParameters: t.sctpParameters!,
    };
  }

  async connect(dtlsParameters: ms.DtlsParameters): Promise<void> {
    await this.#transport.connect({ dtlsParameters });
  }

  async produce(sctpStreamParameters: ms.SctpStreamParameters): Promise<string> {
    if (this.#producer) throw new ConflictError('the probe already has its channel', 'invalid_state');
    this.#producer = await this.#transport.produceData({ sctpStreamParameters, label: 'probe' });
    this.#producedAt = Date.now();
    // Sampled on a timer, so the window can start once data flows (the channel opens after SCTP's handshake).
    const timer = setInterval(() => void this.#sample().catch(() => undefined), sampleEveryMs);
    timer.unref();
    this.#transport.observer.once('close', () => clearInterval(timer));
    return this.#producer.id;
  }

  /** The rate on the wire from half a second after the first data arrived until now. */
  async result(): Promise<ProbeResult> {
    const last = await this.#sample();
    const durationMs = this.#producer ? Date.now() - this.#producedAt : 0;
    const began = this.#samples.find((s) => s.data > 0);
    if (!last || !began) return { kbps: 0, bytes: 0, windowMs: 0, durationMs };
    const from = this.#samples.find((s) => s.at >= began.at + warmupMs) ?? began;
    const windowMs = last.at - from.at;
    const bytes = last.wire - from.wire;
    return { kbps: windowMs > 0 ? Math.round((8 * bytes) / windowMs) : 0, bytes, windowMs, durationMs };
  }

  close(): void {
    this.#transport.close();
  }

  async #sample(): Promise<Sample | null> {
    const producer = this.#producer;
    if (!producer || this.#transport.closed) return null;
    const [[t], [d]] = await Promise.all([this.#transport.getStats(), producer.getStats()]);
    const sample = { at: Date.now(), wire: t?.bytesReceived ?? 0, data: d?.bytesReceived ?? 0 };
    this.#samples.push(sample);
    return sample;
  }
}
