import { toArrayBuffer } from '../encoding.js';
import { PkiError } from '../errors.js';
import type { DigestAlgorithm, TimeStamper } from '../types.js';
import { buildTimeStampRequest, randomNonce } from './timestamp-request.js';
import { tokenFromResponse } from './timestamp-response.js';

export interface HttpTimeStamperOptions {
  readonly timeoutMs?: number;
  /** Largest response accepted. */
  readonly maxResponseBytes?: number;
}

/** Posts application/timestamp-query to a TSA URL; checks status, nonce and imprint of the answer. */
export class HttpTimeStamper implements TimeStamper {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;

  constructor(url: string, o: HttpTimeStamperOptions = {}) {
    this.#url = url;
    this.#timeoutMs = o.timeoutMs ?? 15_000;
    this.#maxBytes = o.maxResponseBytes ?? 256 * 1024;
  }

  async timestamp(hash: Uint8Array, digest: DigestAlgorithm): Promise<Uint8Array> {
    const nonce = randomNonce();
    let body: Uint8Array;
    try {
      const res = await fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
        body: toArrayBuffer(buildTimeStampRequest(hash, digest, nonce)),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      if (!res.ok) throw new PkiError('tsa_error', `time-stamping authority answered HTTP ${res.status}`);
      body = new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      if (err instanceof PkiError) throw err;
      throw new PkiError(
        'tsa_error',
        `time-stamping authority unreachable: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (body.byteLength > this.#maxBytes) throw new PkiError('tsa_error', 'time-stamping authority response too large');
    return tokenFromResponse(body, hash, nonce.valueBlock.valueHexView);
  }
}
