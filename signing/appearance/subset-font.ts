// Embeds a subset of an OpenType CFF font (e.g. Noto Sans CJK from a .ttc collection) as a
// Type0/CIDFontType0 font with Identity-H encoding and a ToUnicode map. fontkit reads metrics and
// glyph ids; hb-subset cuts the CFF and keeps it CID-keyed with the original CIDs, so the 2-byte
// codes in the content stream are the full font's glyph ids (= CIDs: Noto Sans CJK is
// Adobe-Identity-0). Fonts with non-CID CFF outlines are therefore not supported.
import { deflateSync } from 'node:zlib';
import type { Font, Glyph } from '@pdf-lib/fontkit';
import { SigningError } from '../errors.js';
import { sfntTable, subsetFace } from './harfbuzz-subset.js';
import type { IncrementalUpdate } from '../pdf/IncrementalUpdate.js';
import { dict, name, PdfStream, PdfString, type PdfRef } from '../pdf/objects.js';

export interface EmbeddedFont {
  readonly ref: PdfRef;
  /** The hex string operand (without brackets) for `text` in this font. */
  encode(text: string): string;
  /** Width of `text` at `size` points. */
  width(text: string, size: number): number;
}

const DEFAULT_FACE = 'NotoSansCJKsc-Regular';

/**
 * The face to use and its index inside a collection (0 for a single font). fontkit is loaded on
 * first use: it costs ~0.9 s to import, and invisible signatures never need it.
 */
async function openFace(bytes: Uint8Array, postscriptName: string | undefined): Promise<{ font: Font; index: number }> {
  const { default: fontkit } = await import('@pdf-lib/fontkit');
  let opened: Font & { fonts?: Font[] };
  try {
    opened = fontkit.create(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as Font & { fonts?: Font[] };
  } catch {
    throw new SigningError('bad_font', 'the appearance font cannot be read');
  }
  if (!opened.fonts) return { font: opened, index: 0 };
  const wanted = postscriptName ?? DEFAULT_FACE;
  const index = Math.max(
    0,
    opened.fonts.findIndex((f) => f.postscriptName === wanted),
  );
  if (postscriptName && opened.fonts[index]?.postscriptName !== postscriptName)
    throw new SigningError('bad_font', `font face ${postscriptName} not found`);
  return { font: opened.fonts[index]!, index };
}

function toUnicodeCMap(map: ReadonlyMap<number, number>): Buffer {
  const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
  const utf16 = (cp: number): string => Buffer.from(String.fromCodePoint(cp), 'utf16le').swap16().toString('hex');
  const lines = [...map].map(([gid, cp]) => `<${hex4(gid)}> <${utf16(cp)}>`);
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i += 100)
    blocks.push(`${Math.min(100, lines.length - i)} beginbfchar\n${lines.slice(i, i + 100).join('\n')}\nendbfchar`);
  return Buffer.from(
    `/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n${blocks.join('\n')}\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n`,
  );
}

/** Subsets `font` to the characters of `text` and adds the font objects to `update`. */
export async function embedSubsetFont(
  update: IncrementalUpdate,
  fontBytes: Uint8Array,
  text: string,
  postscriptName?: string,
): Promise<EmbeddedFont> {
  const { font, index } = await openFace(fontBytes, postscriptName);
  const byChar = new Map<number, { gid: number; glyph: Glyph }>();
  const toUnicode = new Map<number, number>();
  for (const ch of new Set(text + ' ')) {
    const cp = ch.codePointAt(0)!;
    const glyph = font.glyphForCodePoint(cp);
    byChar.set(cp, { gid: glyph.id, glyph });
    if (!toUnicode.has(glyph.id)) toUnicode.set(glyph.id, cp);
  }
  const cff = sfntTable(await subsetFace(fontBytes, index, [...byChar.keys()]), 'CFF ');
  if (!cff) throw new SigningError('bad_font', 'the appearance font must have CFF outlines (OpenType .otf/.otc/.ttc)');
  const scale = 1000 / font.unitsPerEm;
  const widths: number[] = [];
  for (const { gid, glyph } of [...byChar.values()].sort((a, b) => a.gid - b.gid))
    widths.push(gid, Math.round(glyph.advanceWidth * scale));
  const w: (number | number[])[] = [];
  for (let i = 0; i < widths.length; i += 2) w.push(widths[i]!, [widths[i + 1]!]);

  // Six capital letters derived from the subset make the tag stable for the same text.
  const tag = [...Buffer.from(text).subarray(0, 6)]
    .map((b, i) => String.fromCharCode(65 + ((b + i * 7) % 26)))
    .join('')
    .padEnd(6, 'A');
  const baseFont = name(`${tag}+${font.postscriptName ?? 'CJKFont'}`);
  const fontFile = update.add(
    new PdfStream(dict({ Subtype: name('CIDFontType0C'), Filter: name('FlateDecode') }), deflateSync(cff)),
  );
  const bbox = font.bbox;
  const descriptor = update.add(
    dict({
      Type: name('FontDescriptor'),
      FontName: baseFont,
      Flags: 4,
      FontBBox: [bbox.minX, bbox.minY, bbox.maxX, bbox.maxY].map((v) => Math.round(v * scale)),
      ItalicAngle: 0,
      Ascent: Math.round(font.ascent * scale),
      Descent: Math.round(font.descent * scale),
      CapHeight: Math.round((font.capHeight || font.ascent) * scale),
      StemV: 80,
      FontFile3: fontFile,
    }),
  );
  const cidFont = update.add(
    dict({
      Type: name('Font'),
      Subtype: name('CIDFontType0'),
      BaseFont: baseFont,
      CIDSystemInfo: dict({
        Registry: PdfString.latin1('Adobe'),
        Ordering: PdfString.latin1('Identity'),
        Supplement: 0,
      }),
      FontDescriptor: descriptor,
      DW: 1000,
      W: w,
    }),
  );
  const cmap = update.add(new PdfStream(dict({ Filter: name('FlateDecode') }), deflateSync(toUnicodeCMap(toUnicode))));
  const ref = update.add(
    dict({
      Type: name('Font'),
      Subtype: name('Type0'),
      BaseFont: baseFont,
      Encoding: name('Identity-H'),
      DescendantFonts: [cidFont],
      ToUnicode: cmap,
    }),
  );

  const gidOf = (cp: number): { gid: number; glyph: Glyph } => byChar.get(cp) ?? byChar.get(0x20)!;
  return {
    ref,
    encode: (s) => [...s].map((c) => gidOf(c.codePointAt(0)!).gid.toString(16).padStart(4, '0')).join(''),
    width: (s, size) =>
      [...s].reduce((sum, c) => sum + gidOf(c.codePointAt(0)!).glyph.advanceWidth * scale, 0) * (size / 1000),
  };
}
