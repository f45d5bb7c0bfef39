// The messageDigest signed attribute of a detached CMS signature, to tell "the signed content
// changed" (blame the content file) from "the signature itself is bad" (blame the .p7s).

const MESSAGE_DIGEST_OID = Buffer.from('06092a864886f70d010904', 'hex'); // 1.2.840.113549.1.9.4

/** Hex of the first messageDigest attribute value, or undefined when it cannot be found. */
export function signedMessageDigest(cms: Uint8Array): string | undefined {
  // OID, then SET { OCTET STRING }: short lengths only (digests are ≤ 64 bytes).
  const buf = Buffer.from(cms.buffer, cms.byteOffset, cms.byteLength);
  const at = buf.indexOf(MESSAGE_DIGEST_OID);
  if (at < 0) return undefined;
  const set = at + MESSAGE_DIGEST_OID.length;
  if (buf[set] !== 0x31 || buf[set + 2] !== 0x04) return undefined;
  const len = buf[set + 3]!;
  return buf.subarray(set + 4, set + 4 + len).toString('hex');
}
