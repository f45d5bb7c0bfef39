// The boundaries between certs/, signing/ and the server: where keys live and who stamps time.
// Both are interfaces so that a PIN-unlocked keystore key, the platform seal, an HSM or an external
// TSA can stand behind them without the signing logic changing.

export type DigestAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

/**
 * One private key, wherever it lives (in memory or in a PKCS#11 token): RSASSA-PKCS1-v1_5 over
 * `data`, hashed with `digest` by the key's holder. `signSync` serves the few synchronous callers
 * (CRLs, which are issued while a request reads them).
 */
export interface SigningKey {
  sign(data: Uint8Array, digest: DigestAlgorithm): Promise<Uint8Array>;
  signSync(data: Uint8Array, digest: DigestAlgorithm): Uint8Array;
}

/** Something that can produce a signature with one private key. */
export interface Signer {
  /** DER of the signer's certificate. */
  readonly certificate: Uint8Array;
  /** DER of the issuing chain, the signer's issuer first, up to and including the root. */
  readonly chain: readonly Uint8Array[];
  /** RSASSA-PKCS1-v1_5 signature over `data` (the signer hashes it with `digest`). */
  sign(data: Uint8Array, digest: DigestAlgorithm): Promise<Uint8Array>;
}

/** An RFC 3161 time-stamping authority, in-process or over HTTP. */
export interface TimeStamper {
  /** Returns a TimeStampToken (DER ContentInfo, SignedData over TSTInfo) whose messageImprint is `hash`. */
  timestamp(hash: Uint8Array, digest: DigestAlgorithm): Promise<Uint8Array>;
}
