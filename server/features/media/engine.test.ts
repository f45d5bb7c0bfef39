// The microphone's parameters as the engine gets them: opus marked DTX (forwarded whatever its loss
// score, see forwardedWhateverItsScore), everything else as the client sent it.
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
});
