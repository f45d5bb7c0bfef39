// DER/PEM/hex conversions shared by the PKI modules.
import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from './types.js';

export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Every block with the given label in a PEM text, as DER. */
export function fromPem(pem: string, label = 'CERTIFICATE'): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+?)-----END ${label}-----`, 'g');
  return [...pem.matchAll(re)].map((m) => new Uint8Array(Buffer.from(m[1] ?? '', 'base64')));
}

export function certificatePem(der: Uint8Array): string {
  return toPem(der, 'CERTIFICATE');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Copy into a fresh ArrayBuffer (asn1js/pkijs want an ArrayBuffer, not a Buffer view). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

export function nodeDigestName(digest: DigestAlgorithm): 'sha256' | 'sha384' | 'sha512' {
  switch (digest) {
    case 'SHA-256':
      return 'sha256';
    case 'SHA-384':
      return 'sha384';
    case 'SHA-512':
      return 'sha512';
  }
}

export function hash(digest: DigestAlgorithm, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(nodeDigestName(digest)).update(data).digest());
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a).equals(Buffer.from(b));
}
