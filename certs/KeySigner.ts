import { sign, type KeyObject } from 'node:crypto';
import { nodeDigestName } from './encoding.js';
import type { DigestAlgorithm, Signer } from './types.js';

/** A `Signer` over a private key held in memory (unlocked from the keystore or the master key). */
export class KeySigner implements Signer {
  readonly #key: KeyObject;

  constructor(
    privateKey: KeyObject,
    readonly certificate: Uint8Array,
    readonly chain: readonly Uint8Array[],
  ) {
    this.#key = privateKey;
  }

  async sign(data: Uint8Array, digest: DigestAlgorithm): Promise<Uint8Array> {
    return new Uint8Array(sign(nodeDigestName(digest), data, this.#key));
  }

  /** Keeps the key out of console.log/JSON dumps. */
  toJSON(): { certificateBytes: number } {
    return { certificateBytes: this.certificate.byteLength };
  }
}
