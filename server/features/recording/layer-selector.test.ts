// The layer selector switches layers and resynchronises only at the first packet of a VP8 keyframe:
// its reading of RTP and the VP8 payload descriptor (RFC 3550, RFC 7741) on packets as Chrome sends them.
import { describe, expect, it } from 'vitest';
import { isVp8KeyFrameStart } from './layer-selector.js';

/** An RTP packet: one CSRC, a one-byte header extension block, then the VP8 descriptor and payload. */
function rtp(descriptor: number[], payload: number[], padding = 0): Buffer {
  const header = [0x80 | 0x10 | 0x01 | (padding ? 0x20 : 0), 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
  const extension = [0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0];
  const pad = padding ? [...Array<number>(padding - 1).fill(0), padding] : [];
  return Buffer.from([...header, ...extension, ...descriptor, ...payload, ...pad]);
}

// X=1, S=1, PID=0; I=1 with a 15-bit picture id, L=1, T=1.
const extendedStart = [0x90, 0xe0, 0x80 | 0x12, 0x34, 0x05, 0x40];

describe('isVp8KeyFrameStart', () => {
  it('finds the keyframe bit after every optional field of the descriptor', () => {
    expect(isVp8KeyFrameStart(rtp(extendedStart, [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a]))).toBe(true);
    // P bit set: an inter frame.
    expect(isVp8KeyFrameStart(rtp(extendedStart, [0x11, 0x02, 0x00]))).toBe(false);
    // A one-byte descriptor (no X), padded packet.
    expect(isVp8KeyFrameStart(rtp([0x10], [0x50, 0x02, 0x00], 4))).toBe(true);
  });

  it('is false for a later packet of the frame or a later partition', () => {
    // S=0: a continuation packet, whatever its first payload byte.
    expect(isVp8KeyFrameStart(rtp([0x80, 0xe0, 0x92, 0x34, 0x05, 0x40], [0x10]))).toBe(false);
    // S=1 but partition 1.
    expect(isVp8KeyFrameStart(rtp([0x11], [0x10]))).toBe(false);
    // Nothing after the descriptor.
    expect(isVp8KeyFrameStart(rtp(extendedStart, []))).toBe(false);
  });
});
