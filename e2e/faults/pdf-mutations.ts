// Deterministic PDF mutations for fuzzing: bit flips, truncations, splices (a slice of the file
// copied elsewhere), deleted ranges, and targeted damage to the places parsers trust: the xref
// table, startxref, the trailer, /ByteRange, /Contents and object headers.

/** mulberry32: a small seeded PRNG, so a failing case can be reproduced from its index. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const anchors = [
  'xref',
  'startxref',
  'trailer',
  '/ByteRange',
  '/Contents',
  '/Root',
  '/Size',
  '/Prev',
  ' obj',
  'endobj',
  'stream',
  '/Length',
  '/Type /Sig',
  '/Annots',
  '/AcroForm',
];

export type Mutation = 'bitflip' | 'truncate' | 'splice' | 'delete' | 'anchor-digits' | 'anchor-bytes' | 'anchor-cut';
export const mutations: readonly Mutation[] = [
  'bitflip',
  'truncate',
  'splice',
  'delete',
  'anchor-digits',
  'anchor-bytes',
  'anchor-cut',
];

function anchorOffsets(pdf: Uint8Array): number[] {
  const text = Buffer.from(pdf).toString('latin1');
  const out: number[] = [];
  for (const a of anchors)
    for (let i = text.indexOf(a); i >= 0 && out.length < 4000; i = text.indexOf(a, i + 1)) out.push(i);
  return out;
}

/** The i-th mutant of `pdf` (the same i always gives the same bytes). */
export function mutate(pdf: Uint8Array, i: number): { kind: Mutation; bytes: Uint8Array } {
  const r = rng(0x7b0 + i * 7919);
  const int = (n: number) => Math.floor(r() * n);
  const kind = mutations[i % mutations.length]!;
  const b = Buffer.from(pdf);
  const offs = anchorOffsets(pdf);
  const at = () => (offs.length ? offs[int(offs.length)]! : int(b.length));
  switch (kind) {
    case 'bitflip': {
      const out = Buffer.from(b);
      for (let k = 1 + int(16); k > 0; k--) out[int(out.length)]! ^= 1 << int(8);
      return { kind, bytes: out };
    }
    case 'truncate':
      return { kind, bytes: b.subarray(0, int(b.length)) };
    case 'splice': {
      const from = int(b.length);
      const len = 1 + int(Math.min(4096, b.length - from));
      const to = r() < 0.5 ? at() : int(b.length);
      return {
        kind,
        bytes: Buffer.concat([b.subarray(0, to), b.subarray(from, from + len), b.subarray(r() < 0.5 ? to : to + len)]),
      };
    }
    case 'delete': {
      const from = r() < 0.5 ? at() : int(b.length);
      return { kind, bytes: Buffer.concat([b.subarray(0, from), b.subarray(from + 1 + int(512))]) };
    }
    case 'anchor-digits': {
      // Rewrite the digits after an anchor (offsets, lengths, byte ranges, object numbers).
      const out = Buffer.from(b);
      const start = at();
      for (let p = start, changed = 0; p < Math.min(out.length, start + 80) && changed < 6; p++) {
        if (out[p]! >= 0x30 && out[p]! <= 0x39) {
          out[p] = r() < 0.2 ? 0x2d /* '-' */ : 0x30 + int(10);
          changed++;
        }
      }
      return { kind, bytes: out };
    }
    case 'anchor-bytes': {
      const out = Buffer.from(b);
      const start = at();
      for (let k = 0; k < 1 + int(8); k++) {
        const p = start + int(24);
        if (p < out.length) out[p] = [0x00, 0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x2f, 0x0a, 0xff][int(10)]!;
      }
      return { kind, bytes: out };
    }
    case 'anchor-cut':
      return { kind, bytes: b.subarray(0, Math.min(b.length, at() + int(64))) };
  }
}
