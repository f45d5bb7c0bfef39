// Reading a certificate or CRL with pkijs is slow, and the same few are read over and over:
// verifying one PDF meets the signer's chain, the TSA's chain and the DSS copies of both, and a
// server re-reads its own CA certificates and CRLs for every document. What is read depends on the
// bytes alone, so it is kept per content, for the most recently used `limit` inputs.

/** `read`, answered from memory for bytes it has read before. */
export function memoByContent<T>(limit: number, read: (der: Uint8Array) => T): (der: Uint8Array) => T {
  const memory = new Map<string, T>();
  return (der) => {
    const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
    const known = memory.get(key);
    if (known !== undefined) {
      // Map order is insertion order: re-inserting marks it as the most recently used.
      memory.delete(key);
      memory.set(key, known);
      return known;
    }
    // A private copy: the caller may reuse its buffer after this returns.
    const value = read(new Uint8Array(der));
    memory.set(key, value);
    if (memory.size > limit) memory.delete(memory.keys().next().value!);
    return value;
  };
}
