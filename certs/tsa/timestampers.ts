// The two TimeStamper implementations: our own TSA in-process, or any RFC 3161 TSA over HTTP.
import * as pkijs from 'pkijs';
import { parseDer } from '../asn1.js';
import { equalBytes, toArrayBuffer } from '../encoding.js';
import { PkiError } from '../errors.js';
import type { DigestAlgorithm, TimeStamper } from '../types.js';
import type { TimeStampAuthority } from './TimeStampAuthority.js';
import { buildTimeStampRequest, messageImprintOf, randomNonce } from './timestamp-request.js';

export class InProcessTimeStamper implements TimeStamper {
  constructor(private readonly tsa: TimeStampAuthority) {}

  async timestamp(hash: Uint8Array, digest: DigestAlgorithm): Promise<Uint8Array> {
    return this.tsa.token({ digest, hashedMessage: hash, messageImprint: messageImprintOf(hash, digest), certReq: true, hasExtensions: false });
  }
}

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
      throw new PkiError('tsa_error', `time-stamping authority unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (body.byteLength > this.#maxBytes) throw new PkiError('tsa_error', 'time-stamping authority response too large');
    return tokenFromResponse(body, hash, nonce.valueBlock.valueHexView);
  }
}

/** The TimeStampToken of a granted TimeStampResp after checking that it answers our request. */
export function tokenFromResponse(respDer: Uint8Array, hash: Uint8Array, nonce?: Uint8Array): Uint8Array {
  let resp: pkijs.TimeStampResp;
  try {
    resp = new pkijs.TimeStampResp({ schema: parseDer(respDer, 'TimeStampResp') });
  } catch {
    throw new PkiError('tsa_error', 'time-stamping authority sent an unreadable response');
  }
  if (resp.status.status > 1 || !resp.timeStampToken) {
    const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('; ');
    throw new PkiError('tsa_error', `time-stamping authority refused the request${text ? `: ${text}` : ''}`);
  }
  const tst = readTstInfo(resp.timeStampToken);
  if (!equalBytes(new Uint8Array(tst.messageImprint.hashedMessage.valueBlock.valueHexView), hash)) {
    throw new PkiError('tsa_error', 'time-stamp token is for a different hash');
  }
  if (nonce && (!tst.nonce || !equalBytes(new Uint8Array(tst.nonce.valueBlock.valueHexView), nonce))) {
    throw new PkiError('tsa_error', 'time-stamp token does not echo our nonce');
  }
  return new Uint8Array(resp.timeStampToken.toSchema().toBER());
}

function readTstInfo(token: pkijs.ContentInfo): pkijs.TSTInfo {
  try {
    const eContent = new pkijs.SignedData({ schema: token.content }).encapContentInfo.eContent;
    if (!eContent) throw new Error('no TSTInfo');
    return new pkijs.TSTInfo({ schema: parseDer(new Uint8Array(eContent.getValue()), 'TSTInfo') });
  } catch {
    throw new PkiError('tsa_error', 'time-stamp token carries no readable TSTInfo');
  }
}
