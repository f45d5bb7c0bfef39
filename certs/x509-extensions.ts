// X.509 extensions (RFC 5280 §4.2) as read by the certificate and CRL readers.
import { readDerOrBer, type DerNode } from './der-node.js';
import { booleanOf, childrenOf, isBoolean, isContextTag, octetStringOf, oidOf } from './der-values.js';

export interface ExtensionValue {
  readonly critical: boolean;
  /** The DER inside extnValue. */
  readonly value: Uint8Array;
}

/** An Extensions SEQUENCE (or its absence) by OID. */
export function extensionMap(extensions: DerNode | undefined): Map<string, ExtensionValue> {
  const out = new Map<string, ExtensionValue>();
  for (const ext of extensions ? childrenOf(extensions, 'extensions') : []) {
    const parts = childrenOf(ext, 'extension');
    const critical = isBoolean(parts[1]) && booleanOf(parts[1], 'extension criticality');
    out.set(oidOf(parts[0], 'extension id'), { critical, value: octetStringOf(parts.at(-1), 'extension value') });
  }
  return out;
}

/** The keyIdentifier of an authorityKeyIdentifier value, as hex. */
export function authorityKeyIdOf(value: Uint8Array): string | undefined {
  return readDerOrBer(value, 'authorityKeyIdentifier', (n) => {
    const keyId = childrenOf(n, 'authorityKeyIdentifier').find((k) => isContextTag(k, 0));
    return keyId ? Buffer.from(keyId.octets()).toString('hex') : undefined;
  });
}
