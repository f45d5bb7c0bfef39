import { sign, type KeyObject } from 'node:crypto';
import { nodeDigestName } from './encoding.js';
import type { DigestAlgorithm, Signer, SigningKey } from './types.js';

/** A `SigningKey` over a private key held in memory (unlocked from the keystore, or a test key). */
export class MemoryKey implements SigningKey {
  readonly #key: KeyObject;

  constructor(privateKey: KeyObject) {
    this.#key = privateKey;
  }

  async sign(data: Uint8Array, digest: DigestAlgorithm): Promise<Uint8Array> {
    return this.signSync(data, digest);
  }

  signSync(data: Uint8Array, digest: DigestAlgorithm): Uint8Array {
    return new Uint8Array(sign(nodeDigestName(digest), data, this.#key));
  }

  /** Keeps the key out of console.log/JSON dumps. */
  toJSON(): { key: 'memory' } {
    return { key: 'memory' };
  }
}

/** A key object in memory as a `SigningKey`; a `SigningKey` as it is. */
export function asSigningKey(key: KeyObject | SigningKey): SigningKey {
  return 'signSync' in key ? key : new MemoryKey(key);
}

/** A `Signer`: a certificate and its chain over a `SigningKey` (in memory or in a token). */
export class KeySigner implements Signer {
  readonly #key: SigningKey;

  constructor(
    key: KeyObject | SigningKey,
    readonly certificate: Uint8Array,
    readonly chain: readonly Uint8Array[],
  ) {
    this.#key = asSigningKey(key);
  }

  sign(data: Uint8Array, digest: DigestAlgorithm): Promise<Uint8Array> {
    return this.#key.sign(data, digest);
  }

  /** Keeps the key out of console.log/JSON dumps. */
  toJSON(): { certificateBytes: number } {
    return { certificateBytes: this.certificate.byteLength };
  }
}
