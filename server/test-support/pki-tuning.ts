// 2048-bit CAs and a cheap PIN KDF keep PKI set-up in tests to seconds; the code paths are the real ones.
export const testPkiTuning = { caKeyBits: 2048, pinKdfCost: { N: 2 ** 10, r: 8, p: 1 } } as const;
