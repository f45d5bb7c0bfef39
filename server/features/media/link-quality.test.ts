// The audio-only gate's hysteresis and probing, the quality levels and the layer for a tile size.
import { describe, expect, it } from 'vitest';
import { AudioOnlyGate, downlinkCongested, qualityOf, spatialLayerFor, type LinkSample } from './link-quality.js';

const link = (o: Partial<LinkSample> = {}): LinkSample => ({
  availableBps: 1_000_000,
  sendBps: 500_000,
  sendsVideo: true,
  lossUp: 0,
  lossDown: 0,
  rttMs: 20,
  ...o,
});

describe('connection quality', () => {
  it('is good on a clean link, fair with some loss or lag, poor with heavy loss, long RTT or audio only', () => {
    expect(qualityOf(link(), false)).toBe('good');
    expect(qualityOf(link({ lossDown: 0.05 }), false)).toBe('fair');
    expect(qualityOf(link({ rttMs: 300 }), false)).toBe('fair');
    expect(qualityOf(link({ availableBps: 200_000 }), false)).toBe('fair');
    expect(qualityOf(link({ lossUp: 0.15 }), false)).toBe('poor');
    expect(qualityOf(link({ rttMs: 800 }), false)).toBe('poor');
    expect(qualityOf(link({ sendBps: 20_000 }), false)).toBe('poor');
    expect(qualityOf(link({ sendBps: 20_000, sendsVideo: false }), false)).toBe('good');
    expect(qualityOf(link(), true)).toBe('poor');
  });
});

describe('the audio-only gate', () => {
  const floor = 150_000;
  const run = (gate: AudioOnlyGate, estimates: (number | null)[]) => estimates.map((e) => gate.next(e));

  it('engages only after the estimate stays under the floor, not on one dip', () => {
    const gate = new AudioOnlyGate({ floorBps: floor, engageAfter: 3 });
    expect(run(gate, [100_000, 100_000, 400_000, 100_000, 100_000])).toEqual([null, null, null, null, null]);
    expect(gate.next(100_000)).toBe('engage');
    expect(gate.active).toBe(true);
    expect(gate.next(null)).toBeNull();
  });

  it('does not engage on a low estimate without loss or queueing (a CPU-starved receiver), hysteresis kept', () => {
    const gate = new AudioOnlyGate({ floorBps: floor, engageAfter: 3 });
    for (let i = 0; i < 6; i++) expect(gate.next(50_000, false)).toBeNull();
    // Evidence must hold for the whole run of samples: one clean sample starts the count again.
    expect([gate.next(50_000, true), gate.next(50_000, true), gate.next(50_000, false)]).toEqual([null, null, null]);
    expect([gate.next(50_000, true), gate.next(50_000, true), gate.next(50_000, true)]).toEqual([null, null, 'engage']);
  });

  it('takes loss, a long RTT or a site cap under the floor as evidence of congestion', () => {
    expect(downlinkCongested(link({ availableBps: 100_000 }), null, floor)).toBe(false);
    expect(downlinkCongested(link({ lossDown: 0.05 }), null, floor)).toBe(true);
    expect(downlinkCongested(link({ lossUp: 0.5 }), null, floor)).toBe(false);
    expect(downlinkCongested(link({ rttMs: 450 }), null, floor)).toBe(true);
    expect(downlinkCongested(link(), 80_000, floor)).toBe(true);
    expect(downlinkCongested(link(), 300_000, floor)).toBe(false);
  });

  it('releases only above 1.5 × the floor (no flapping at the floor), probing with video meanwhile', () => {
    const gate = new AudioOnlyGate({ floorBps: floor, engageAfter: 1, releaseAfter: 2, probeEvery: 3, probeFor: 2 });
    expect(gate.next(100_000)).toBe('engage');
    // Just above the floor is not enough; after probeEvery samples video is tried again.
    expect(run(gate, [160_000, 160_000, 160_000])).toEqual([null, null, 'probe']);
    expect(gate.probing).toBe(true);
    // The probe shows no headroom: video pauses again, and later another probe.
    expect(run(gate, [170_000, 170_000])).toEqual([null, 'unprobe']);
    expect(run(gate, [170_000, 170_000, 170_000])).toEqual([null, null, 'probe']);
    // This probe finds the link recovered: two samples at or above 1.5 × floor release it.
    expect(run(gate, [230_000, 230_000])).toEqual([null, 'release']);
    expect(gate.active).toBe(false);
    expect(gate.probing).toBe(false);
  });
});

describe('the simulcast layer for a tile', () => {
  const heights = [135, 270, 540];
  it('is the lowest layer at least about as high as the tile', () => {
    expect(spatialLayerFor(0, heights)).toBe(0);
    expect(spatialLayerFor(120, heights)).toBe(0);
    expect(spatialLayerFor(150, heights)).toBe(0);
    expect(spatialLayerFor(160, heights)).toBe(1);
    expect(spatialLayerFor(290, heights)).toBe(1);
    expect(spatialLayerFor(400, heights)).toBe(2);
    expect(spatialLayerFor(2000, heights)).toBe(2);
  });
});
