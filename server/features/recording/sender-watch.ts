// What passed between the mediasoup worker and one video sender since its producer appeared: the
// keyframe requests the worker sent (for any receiver) and the keyframes that came back, per simulcast
// layer, on the worker's clock. A recording run starts long after the live receivers' first requests,
// and it can only get its first keyframe fast if it asks in a way the sender and the worker honour:
// - Chrome acts on one keyframe request per 300 ms (libwebrtc's EncoderRtcpFeedback drops the rest)
//   and then sends a keyframe on every layer it is encoding;
// - mediasoup 3.8.4 keeps one request per layer pending until that layer's keyframe comes and sends a
//   new one only after 1 s, so a request Chrome dropped holds back every later one for that layer.
import type { types as ms } from 'mediasoup';

/** libwebrtc's minimum spacing of keyframe requests it acts on, plus the time a request takes to reach it. */
export const senderRequestSpacingMs = 320;

export interface SenderEvent {
  /** 'pli' (the worker asked the sender), 'key' (a keyframe came in), 'up' (a layer's first packets). */
  readonly what: 'pli' | 'key' | 'up';
  /** Simulcast layer (encoding index); -1 when unknown. */
  readonly layer: number;
  /** Monotonic ms, the clock of the worker's trace time stamps. */
  readonly mono: number;
}

const watches = new WeakMap<ms.Producer, SenderWatch>();

export class SenderWatch {
  readonly #producer: ms.Producer;
  readonly #events: SenderEvent[] = [];
  readonly #layerOfSsrc = new Map<number, number>();
  readonly #streams = new Set<number>();

  private constructor(producer: ms.Producer) {
    this.#producer = producer;
    for (const s of producer.score) this.#streams.add(s.ssrc);
    producer.on('trace', (t) => {
      const info = t.info as { ssrc?: number; rid?: string } | undefined;
      if ((t.type === 'pli' || t.type === 'fir') && t.direction === 'out') this.#push('pli', info?.ssrc, t.timestamp);
      else if (t.type === 'keyframe' && t.direction === 'in') this.#push('key', info?.ssrc, t.timestamp, info?.rid);
    });
    // A layer's stream (and its score) appears with the sender's first packet of that layer.
    producer.on('score', (scores) => {
      for (const s of scores)
        if (!this.#streams.has(s.ssrc)) {
          this.#streams.add(s.ssrc);
          this.#push('up', s.ssrc, monotonicMs(), s.rid);
        }
    });
    // Requests and keyframes are a few per second at most: cheap to trace for the producer's lifetime.
    void producer.enableTraceEvent(['keyframe', 'pli', 'fir']).catch(() => undefined);
  }

  /** The watch of a video producer, started on first use: start it the moment the producer appears. */
  static of(producer: ms.Producer): SenderWatch {
    let w = watches.get(producer);
    if (!w) watches.set(producer, (w = new SenderWatch(producer)));
    return w;
  }

  /** Events from `sinceMono` on. */
  events(sinceMono = -Infinity): readonly SenderEvent[] {
    return this.#events.filter((e) => e.mono >= sinceMono);
  }

  /** When the sender's first packets (a new layer, a keyframe) came at or after `mono`, or null. */
  firstMediaSince(mono: number): number | null {
    return this.#events.find((e) => e.what !== 'pli' && e.mono >= mono)?.mono ?? null;
  }

  /**
   * The last request the sender will have acted on, answered yet or not, monotonic ms, or null: as
   * libwebrtc does, each request that comes 300 ms or more after the last one it acted on. An answer
   * that came just now may not have reached this process yet (a busy event loop), and a request
   * inside the 300 ms was dropped by the sender: neither says when it will act again.
   */
  get lastActedRequestMono(): number | null {
    let acted: number | null = null;
    for (const e of this.#events)
      if (e.what === 'pli' && (acted === null || e.mono - acted >= senderRequestSpacingMs - 20)) acted = e.mono;
    return acted;
  }

  #push(what: SenderEvent['what'], ssrc: number | undefined, mono: number, rid?: string): void {
    const layer = ssrc === undefined ? -1 : this.#layer(ssrc, rid);
    this.#events.push({ what, layer, mono });
    // Only the last seconds matter; a long session would otherwise grow this without end.
    if (this.#events.length > 400) this.#events.splice(0, 200);
  }

  #layer(ssrc: number, rid?: string): number {
    const known = this.#layerOfSsrc.get(ssrc);
    if (known !== undefined) return known;
    const encodings = this.#producer.rtpParameters.encodings ?? [];
    const byRid = rid === undefined ? -1 : encodings.findIndex((e) => e.rid === rid);
    const bySsrc = encodings.findIndex((e) => e.ssrc === ssrc);
    const layer = byRid >= 0 ? byRid : bySsrc >= 0 ? bySsrc : encodings.length <= 1 ? 0 : -1;
    if (layer >= 0) this.#layerOfSsrc.set(ssrc, layer);
    return layer;
  }
}

/** Milliseconds on the clock of mediasoup's trace time stamps (libuv's uv_hrtime, as process.hrtime here). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}
