// Connection quality and the audio-only fallback, from per-second samples of a peer's streams as the
// SFU sees them. Pure logic: the Room samples the engine and applies what these decide.
import type { QualityLevel } from '../../../protocol/media.js';

/** One peer's link as read from mediasoup stats at one moment. */
export interface LinkSample {
  /** The SFU's estimate of what it can send to the peer (transport-cc), bit/s; null without one. */
  readonly availableBps: number | null;
  /** What the peer sends (all its producers), bit/s. */
  readonly sendBps: number;
  readonly sendsVideo: boolean;
  /** Worst fraction lost (0..1) on the peer's uplink (its producers) and downlink (its consumers). */
  readonly lossUp: number;
  readonly lossDown: number;
  /** Worst round-trip time to the peer, ms; null before any receiver report. */
  readonly rttMs: number | null;
}

/**
 * good / fair / poor as a user would feel it: loss above 3 % or RTT above 250 ms is visible
 * (artefacts, lag); above 10 % or 500 ms a conversation suffers. A sender whose video falls under
 * what even the lowest layer needs, or a receiver held at audio only, is poor.
 */
export function qualityOf(s: LinkSample, audioOnly: boolean): QualityLevel {
  const loss = Math.max(s.lossUp, s.lossDown);
  const rtt = s.rttMs ?? 0;
  if (audioOnly || loss > 0.1 || rtt > 500 || (s.sendsVideo && s.sendBps < 60_000)) return 'poor';
  if (loss > 0.03 || rtt > 250 || (s.availableBps !== null && s.availableBps < 300_000)) return 'fair';
  return 'good';
}

/**
 * Does the downlink itself show congestion? A bandwidth estimate also collapses when the receiving
 * machine is starved of CPU (its packets are read late, which looks like queueing delay), with no
 * loss and a short RTT; pausing video then would be wrong. Real congestion loses packets or builds
 * queues (RTT); a site whose configured cap is under the floor is congested by definition.
 */
export function downlinkCongested(s: LinkSample, recvCapBps: number | null, floorBps: number): boolean {
  return s.lossDown >= 0.03 || (s.rttMs ?? 0) >= 300 || (recvCapBps !== null && recvCapBps < floorBps);
}

export interface AudioOnlyGateOptions {
  /** Below this estimate (bit/s), with congestion evidence, for `engageAfter` samples in a row, video pauses. */
  readonly floorBps: number;
  readonly engageAfter?: number;
  /** Samples in a row at or above 1.5 × floor that release it (hysteresis: no flapping at the floor). */
  readonly releaseAfter?: number;
  /** While audio-only, every this many samples video is sent again for `probeFor` samples (see next()). */
  readonly probeEvery?: number;
  readonly probeFor?: number;
}

export type GateAction = 'engage' | 'release' | 'probe' | 'unprobe';

/**
 * Audio-only with hysteresis. While video is paused only audio flows, and a congestion controller
 * does not raise its estimate above what is actually sent: the estimate would never show recovery.
 * So the gate probes: it has video sent again for a few samples (the user still sees audio only)
 * and releases only if the estimate then holds above the release level; else it pauses again.
 */
export class AudioOnlyGate {
  readonly #o: Required<AudioOnlyGateOptions>;
  #active = false;
  #probing = false;
  #below = 0;
  #above = 0;
  #sinceProbe = 0;
  #probeLeft = 0;
  #last: number | null = null;

  constructor(o: AudioOnlyGateOptions) {
    this.#o = { engageAfter: 4, releaseAfter: 2, probeEvery: 6, probeFor: 5, ...o };
  }

  get active(): boolean {
    return this.#active;
  }

  get probing(): boolean {
    return this.#probing;
  }

  /**
   * Feeds one estimate and whether the link shows congestion (see downlinkCongested); returns what
   * the room must do now, if anything. Engaging needs both, sustained; releasing needs the estimate.
   */
  next(availableBps: number | null, congested = true): GateAction | null {
    if (availableBps === null) return null;
    const o = this.#o;
    if (!this.#active) {
      this.#below = availableBps < o.floorBps && congested ? this.#below + 1 : 0;
      if (this.#below < o.engageAfter) return null;
      this.#active = true;
      this.#below = this.#above = this.#sinceProbe = 0;
      return 'engage';
    }
    this.#above = availableBps >= 1.5 * o.floorBps ? this.#above + 1 : 0;
    if (this.#above >= o.releaseAfter) {
      this.#active = this.#probing = false;
      this.#above = 0;
      return 'release';
    }
    if (this.#probing) {
      // A congestion controller climbs a few per cent a second: a probe that keeps finding more
      // room goes on until the release level or until the estimate stops rising.
      const rising = this.#last !== null && availableBps > 1.03 * this.#last;
      this.#last = availableBps;
      if (rising && this.#probeLeft < o.probeFor) this.#probeLeft += 1;
      if (--this.#probeLeft > 0) return null;
      this.#probing = false;
      this.#sinceProbe = 0;
      return 'unprobe';
    }
    if (++this.#sinceProbe < o.probeEvery) return null;
    this.#probing = true;
    this.#probeLeft = o.probeFor;
    this.#last = availableBps;
    this.#above = 0;
    return 'probe';
  }
}

/**
 * The simulcast layer for a tile `height` device pixels high: the lowest whose picture is at least
 * 90 % as high (a 240-pixel tile gets the 240-line layer, not the 480 one). 0 for a hidden tile.
 */
export function spatialLayerFor(height: number, layerHeights: readonly number[]): number {
  const i = layerHeights.findIndex((h) => h >= 0.9 * height);
  return i === -1 ? layerHeights.length - 1 : i;
}
