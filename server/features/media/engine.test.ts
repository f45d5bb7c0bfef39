// A track's parameters as the engine gets them: opus marked DTX, a one-encoding video stream marked
// dtx (forwarded whatever its loss score, see forwardedWhateverItsScore), simulcast and everything
// else as the client sent it.
import { describe, expect, it } from 'vitest';
import { forwardedWhateverItsScore, type ms } from './engine.js';

describe('forwardedWhateverItsScore', () => {
  it('marks opus usedtx=1 and keeps every other field and codec', () => {
    const sent: ms.RtpParameters = {
      mid: '1',
      codecs: [
        { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } },
        { mimeType: 'audio/telephone-event', payloadType: 126, clockRate: 48000 },
      ],
      headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 1 }],
      encodings: [{ ssrc: 1234 }],
      rtcp: { cname: 'c' },
    };
    const given = forwardedWhateverItsScore(sent);
    expect(given.codecs[0]!.parameters).toEqual({ useinbandfec: 1, usedtx: 1 });
    expect(given.codecs[1]).toEqual(sent.codecs[1]);
    expect({ ...given, codecs: sent.codecs }).toEqual(sent);
    // The client's object is left as it was.
    expect(sent.codecs[0]!.parameters).toEqual({ useinbandfec: 1 });
  });

  it('marks a one-encoding video stream dtx, and leaves simulcast encodings alone', () => {
    const vp8: ms.RtpCodecParameters = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
    const single: ms.RtpParameters = { codecs: [vp8], encodings: [{ ssrc: 1, maxBitrate: 300_000 }], rtcp: {} };
    expect(forwardedWhateverItsScore(single).encodings).toEqual([{ ssrc: 1, maxBitrate: 300_000, dtx: true }]);
    expect(single.encodings).toEqual([{ ssrc: 1, maxBitrate: 300_000 }]);
    const simulcast: ms.RtpParameters = { codecs: [vp8], encodings: [{ rid: 'r0' }, { rid: 'r1' }], rtcp: {} };
    expect(forwardedWhateverItsScore(simulcast)).toEqual(simulcast);
  });
});
