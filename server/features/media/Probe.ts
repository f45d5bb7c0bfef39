// The pre-join bandwidth probe: a client sends its camera for a few seconds to a transport of its
// own on a router that forwards nothing and records nothing; what arrived per second is a fair
// estimate of its uplink (the browser's congestion control ramps up to what the path carries).
import type { ms } from './engine.js';
import { ConflictError } from '../../kernel/errors.js';
import type { ProbeResult } from '../../../protocol/media.js';
import type { TransportParams } from './Room.js';

/** A probe that is never read (page closed) frees its port after this long. */
const probeLifetimeMs = 30_000;

export class Probe {
  readonly #transport: ms.WebRtcTransport;
  readonly #startedAt = Date.now();
  #producer: ms.Producer | null = null;
  #producedAt = 0;

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
      appData: { probe: true },
    });
    return new Probe(transport);
  }

  get closed(): boolean {
    return this.#transport.closed;
  }

  get params(): TransportParams {
    const t = this.#transport;
    return {
      id: t.id,
      iceParameters: t.iceParameters,
      iceCandidates: t.iceCandidates,
      dtlsParameters: t.dtlsParameters,
    };
  }

  async connect(dtlsParameters: ms.DtlsParameters): Promise<void> {
    await this.#transport.connect({ dtlsParameters });
  }

  async produce(kind: 'audio' | 'video', rtpParameters: ms.RtpParameters): Promise<string> {
    if (this.#producer) throw new ConflictError('the probe already has its track', 'invalid_state');
    this.#producer = await this.#transport.produce({ kind, rtpParameters });
    this.#producedAt = Date.now();
    return this.#producer.id;
  }

  /** What arrived: the transport's receive rate now (bit/s over its last second), packets and loss so far. */
  async result(): Promise<ProbeResult> {
    const [t] = await this.#transport.getStats();
    let packets = 0;
    let lost = 0;
    for (const s of (await this.#producer?.getStats()) ?? []) {
      packets += s.packetCount ?? 0;
      lost += Math.max(0, s.packetsLost ?? 0);
    }
    return {
      kbps: Math.round((t?.recvBitrate ?? 0) / 1000),
      packets,
      lossPct: packets + lost === 0 ? 0 : Math.round((1000 * lost) / (packets + lost)) / 10,
      durationMs: this.#producer ? Date.now() - this.#producedAt : Date.now() - this.#startedAt,
    };
  }

  close(): void {
    this.#transport.close();
  }
}
