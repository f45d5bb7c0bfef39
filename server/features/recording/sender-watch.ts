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
/** mediasoup 3.8.4's KeyFrameRequestManager: an unanswered request is repeated after this long. */
const workerRetryMs = 1000;

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
   * The last request the sender acted on (a keyframe came after it; taken as the last request before
   * that keyframe), monotonic ms, or null. The sender ignores any other request for 300 ms after it.
   * A request still unanswered does not count: its answer (keyframes of every layer) is on its way.
   */
  get lastAnsweredRequestMono(): number | null {
    let request: number | null = null;
    let answered: number | null = null;
    for (const e of this.#events) {
      if (e.what === 'pli') request = e.mono;
      else if (e.what === 'key' && request !== null) answered = request;
    }
    return answered;
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

  /**
   * Layers whose last request is unanswered and younger than the worker's retry: a request for them
   * now would be swallowed by the worker until that retry.
   */
  pendingLayers(nowMono: number): Set<number> {
    const pending = new Set<number>();
    for (const e of this.#events) {
      if (e.what === 'pli' && nowMono - e.mono < workerRetryMs) pending.add(e.layer);
      else if (e.what === 'key') pending.delete(e.layer);
    }
    return pending;
  }

  /**
   * The layer a new recording run should take its first keyframe from, given packet counts per layer
   * sampled a moment apart (a layer whose count grew is being sent): the top layer being sent when
   * its requests are not held back and a keyframe of it came in the last 1.5 s (Chrome stops sending
   * its upper layers when its estimate drops, and answers a request for a stopped layer with keyframes
   * of the others only); else the lowest layer being sent (Chrome always encodes it) whose requests
   * are not held back. Null: no layer is being sent (the consumer's own choice stands).
   */
  firstKeyFrameLayer(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>, nowMono: number) {
    const sending = [...after.entries()]
      .filter(([layer, n]) => layer >= 0 && n > (before.get(layer) ?? 0))
      .map(([layer]) => layer)
      .sort((a, b) => b - a);
    if (sending.length === 0) return null;
    const pending = this.pendingLayers(nowMono);
    const top = sending[0]!;
    const topRecent = this.#events.some((e) => e.what === 'key' && e.layer === top && nowMono - e.mono < 1500);
    if (topRecent && !pending.has(top)) return top;
    return sending.reverse().find((l) => !pending.has(l)) ?? sending[0]!;
  }

  /** Since when a request for `layer` has gone unanswered (the first one after its last keyframe), or null. */
  unansweredSince(layer: number): number | null {
    let since: number | null = null;
    for (const e of this.#events)
      if (e.layer !== layer) continue;
      else if (e.what === 'key') since = null;
      else if (e.what === 'pli') since ??= e.mono;
    return since;
  }

  /** Packets received per layer so far (for telling which layers the sender is sending now). */
  async packetCounts(): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    for (const s of await this.#producer.getStats().catch(() => [])) {
      const layer = this.#layer(s.ssrc, s.rid);
      counts.set(layer, (counts.get(layer) ?? 0) + s.packetCount);
    }
    return counts;
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
