// Font subsetting with HarfBuzz's hb-subset (harfbuzzjs wasm). fontkit 1.1's CFF subsetter
// writes fonts poppler rejects ("Embedded font file may be invalid") for Noto Sans CJK, and the
// subset-font wrapper cannot pick a face inside a .ttc; hb-subset can, and it keeps the CFF
// CID-keyed. The wasm is loaded once from the harfbuzzjs package (library code, not user data).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SigningError } from '../errors.js';

interface HbExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(n: number): number;
  free(p: number): void;
  hb_blob_create(data: number, length: number, mode: number, user: number, destroy: number): number;
  hb_blob_destroy(b: number): void;
  hb_blob_get_data(b: number, lengthOut: number): number;
  hb_blob_get_length(b: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(f: number): void;
  hb_face_reference_blob(f: number): number;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(i: number): void;
  hb_subset_input_unicode_set(i: number): number;
  hb_subset_input_get_flags(i: number): number;
  hb_subset_input_set_flags(i: number, flags: number): void;
  hb_set_add(set: number, value: number): void;
  hb_subset_or_fail(face: number, input: number): number;
}

const HB_MEMORY_MODE_READONLY = 1;
const HB_SUBSET_FLAGS_DESUBROUTINIZE = 0x4;
const HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE = 0x200;

let loading: Promise<HbExports> | undefined;

function harfbuzz(): Promise<HbExports> {
  loading ??= (async () => {
    const wasmPath = createRequire(import.meta.url).resolve('harfbuzzjs/dist/harfbuzz-subset.wasm');
    const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath));
    const hb = instance.exports as unknown as HbExports;
    hb._initialize();
    return hb;
  })();
  return loading;
}

/**
 * Subsets face `faceIndex` of `font` to `codePoints` and returns the subset's sfnt bytes. A
 * CID-keyed CFF keeps each glyph's original CID in its charset, so CIDs taken from the full font
 * stay valid as character codes.
 */
export async function subsetFace(
  font: Uint8Array,
  faceIndex: number,
  codePoints: readonly number[],
): Promise<Uint8Array> {
  const hb = await harfbuzz();
  const fontPtr = hb.malloc(font.byteLength);
  new Uint8Array(hb.memory.buffer).set(font, fontPtr);
  const blob = hb.hb_blob_create(fontPtr, font.byteLength, HB_MEMORY_MODE_READONLY, 0, 0);
  const face = hb.hb_face_create(blob, faceIndex);
  hb.hb_blob_destroy(blob);
  const input = hb.hb_subset_input_create_or_fail();
  try {
    if (!input) throw new SigningError('bad_font', 'hb-subset could not start');
    const unicodes = hb.hb_subset_input_unicode_set(input);
    for (const cp of codePoints) hb.hb_set_add(unicodes, cp);
    hb.hb_subset_input_set_flags(
      input,
      hb.hb_subset_input_get_flags(input) | HB_SUBSET_FLAGS_DESUBROUTINIZE | HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE,
    );
    const subset = hb.hb_subset_or_fail(face, input);
    if (!subset) throw new SigningError('bad_font', 'the appearance font cannot be subset');
    const result = hb.hb_face_reference_blob(subset);
    const ptr = hb.hb_blob_get_data(result, 0);
    const out = new Uint8Array(hb.memory.buffer, ptr, hb.hb_blob_get_length(result)).slice();
    hb.hb_blob_destroy(result);
    hb.hb_face_destroy(subset);
    if (out.length === 0) throw new SigningError('bad_font', 'the appearance font cannot be subset');
    return out;
  } finally {
    if (input) hb.hb_subset_input_destroy(input);
    hb.hb_face_destroy(face);
    hb.free(fontPtr);
  }
}

/** The bytes of one table of an sfnt (OpenType) font, e.g. 'CFF '. */
export function sfntTable(sfnt: Uint8Array, tag: string): Uint8Array | undefined {
  const view = Buffer.from(sfnt.buffer, sfnt.byteOffset, sfnt.byteLength);
  const numTables = view.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    if (view.toString('latin1', rec, rec + 4) === tag) {
      const offset = view.readUInt32BE(rec + 8);
      return sfnt.subarray(offset, offset + view.readUInt32BE(rec + 12));
    }
  }
  return undefined;
}
