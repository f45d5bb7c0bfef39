import type { DigestAlgorithm, TimeStamper } from '../types.js';
import type { TimeStampAuthority } from './TimeStampAuthority.js';
import { messageImprintOf } from './timestamp-request.js';

/** Our own TSA without the HTTP round trip (the server and the test PKI). */
export class InProcessTimeStamper implements TimeStamper {
  constructor(private readonly tsa: TimeStampAuthority) {}

  async timestamp(hash: Uint8Array, digest: DigestAlgorithm): Promise<Uint8Array> {
    return this.tsa.token({
      digest,
      hashedMessage: hash,
      messageImprint: messageImprintOf(hash, digest),
      certReq: true,
      hasExtensions: false,
    });
  }
}
