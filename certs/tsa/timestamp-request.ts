// RFC 3161 TimeStampReq: reading one from untrusted bytes (as the TSA) and building one (as a client).
import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseDer } from '../asn1.js';
import { toArrayBuffer } from '../encoding.js';
import { digestFromOid, digestOid } from '../oids.js';
import type { DigestAlgorithm } from '../types.js';

/** Requests larger than this are refused unread (a real TimeStampReq is a few hundred bytes). */
export const MAX_REQUEST_BYTES = 16 * 1024;

const DIGEST_LENGTHS: Record<DigestAlgorithm, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

export interface TimeStampRequest {
  readonly digest: DigestAlgorithm;
  readonly hashedMessage: Uint8Array;
  /** The request's MessageImprint as received, echoed unchanged in the TSTInfo. */
  readonly messageImprint: pkijs.MessageImprint;
  readonly nonce?: asn1js.Integer;
  readonly certReq: boolean;
  readonly reqPolicy?: string;
  readonly hasExtensions: boolean;
}

/** PKIFailureInfo bit numbers (RFC 3161 §2.4.2). */
export const FAIL_INFO = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  systemFailure: 25,
} as const;

export type FailInfo = keyof typeof FAIL_INFO;

export type RequestParseResult =
  | { readonly ok: true; readonly request: TimeStampRequest }
  | { readonly ok: false; readonly failInfo: FailInfo; readonly reason: string };

export function parseTimeStampRequest(der: Uint8Array): RequestParseResult {
  if (der.byteLength === 0 || der.byteLength > MAX_REQUEST_BYTES) {
    return { ok: false, failInfo: 'badDataFormat', reason: 'request is empty or too large' };
  }
  let req: pkijs.TimeStampReq;
  try {
    req = new pkijs.TimeStampReq({ schema: parseDer(der, 'TimeStampReq') });
  } catch {
    return { ok: false, failInfo: 'badDataFormat', reason: 'request is not a DER TimeStampReq' };
  }
  if (req.version !== 1)
    return { ok: false, failInfo: 'badRequest', reason: `unsupported request version ${req.version}` };
  const digest = digestFromOid(req.messageImprint.hashAlgorithm.algorithmId);
  if (!digest)
    return { ok: false, failInfo: 'badAlg', reason: 'unsupported hash algorithm (use SHA-256, SHA-384 or SHA-512)' };
  const hashedMessage = new Uint8Array(req.messageImprint.hashedMessage.valueBlock.valueHexView);
  if (hashedMessage.byteLength !== DIGEST_LENGTHS[digest]) {
    return { ok: false, failInfo: 'badDataFormat', reason: `hash length does not match ${digest}` };
  }
  return {
    ok: true,
    request: {
      digest,
      hashedMessage,
      messageImprint: req.messageImprint,
      ...(req.nonce ? { nonce: req.nonce } : {}),
      certReq: req.certReq === true,
      ...(req.reqPolicy ? { reqPolicy: req.reqPolicy } : {}),
      hasExtensions: (req.extensions?.length ?? 0) > 0,
    },
  };
}

export function messageImprintOf(hash: Uint8Array, digest: DigestAlgorithm): pkijs.MessageImprint {
  return new pkijs.MessageImprint({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: digestOid(digest),
      algorithmParams: new asn1js.Null(),
    }),
    hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(hash) }),
  });
}

/** A random positive 64-bit nonce. */
export function randomNonce(): asn1js.Integer {
  const bytes = randomBytes(8);
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return new asn1js.Integer({ valueHex: toArrayBuffer(bytes) });
}

export function buildTimeStampRequest(
  hash: Uint8Array,
  digest: DigestAlgorithm,
  nonce: asn1js.Integer,
  certReq = true,
): Uint8Array {
  const req = new pkijs.TimeStampReq({ version: 1, messageImprint: messageImprintOf(hash, digest), nonce, certReq });
  return new Uint8Array(req.toSchema().toBER());
}
