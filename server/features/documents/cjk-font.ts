// Embeds a subset of Noto Sans CJK (a CID-keyed CFF font inside a .ttc collection) with pdf-lib.
// @pdf-lib/fontkit 1.1.1 has two bugs in its CID-font subsetter that make poppler reject or
// mis-draw the font: the CFF header's offSize comes out as garbage, and FDSelect maps every
// glyph to the most recently added font dict instead of its own (wrong local subrs → glyphs
// missing). `patchCidSubsetter` fixes both once, on the subsetter's prototype.
import { randomInt } from 'node:crypto';
import fontkit from '@pdf-lib/fontkit';
import type { PDFDocument, PDFFont } from 'pdf-lib';

export const NOTO_SANS_CJK_TTC = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
/** The Simplified Chinese face of the collection. */
export const NOTO_SANS_CJK_SC = 'NotoSansCJKsc-Regular';

interface FontkitGlyph {
  readonly path: unknown;
  readonly _usedSubrs: Record<string, true>;
}
interface CffFontDict {
  Private?: { Subrs?: unknown[] } & Record<string, unknown>;
  FontName?: unknown;
}
interface CidSubset {
  glyphs: number[];
  cff: {
    fdForGlyph(gid: number): number | null;
    topDict: { FDArray: CffFontDict[] };
  };
  font: { getGlyph(gid: number): FontkitGlyph };
  subsetSubrs(subrs: unknown[], used: Record<string, true>): unknown[];
  encode(stream: unknown): void;
}
type TopDict = { FDArray: CffFontDict[]; FDSelect: { version: number; fds: number[] } };

const patched = new WeakSet<object>();

function patchCidSubsetter(proto: Record<string, unknown>): void {
  if (patched.has(proto)) return;
  patched.add(proto);
  proto.subsetFontdict = function subsetFontdict(this: CidSubset, topDict: TopDict): void {
    topDict.FDArray = [];
    topDict.FDSelect = { version: 0, fds: [] };
    const newIndex = new Map<number, number>();
    const usedSubrs: Record<string, true>[] = [];
    for (const gid of this.glyphs) {
      const fd = this.cff.fdForGlyph(gid);
      if (fd == null) continue;
      let index = newIndex.get(fd);
      if (index === undefined) {
        index = topDict.FDArray.length;
        newIndex.set(fd, index);
        topDict.FDArray.push({ ...this.cff.topDict.FDArray[fd] });
        usedSubrs.push({});
      }
      topDict.FDSelect.fds.push(index);
      const glyph = this.font.getGlyph(gid);
      void glyph.path; // parsing the path records the subroutines the glyph calls
      Object.assign(usedSubrs[index]!, glyph._usedSubrs);
    }
    topDict.FDArray.forEach((dict, i) => {
      delete dict.FontName;
      if (dict.Private?.Subrs) {
        dict.Private = { ...dict.Private, Subrs: this.subsetSubrs(dict.Private.Subrs, usedSubrs[i]!) };
      }
    });
  };
  const encode = proto.encode as CidSubset['encode'];
  proto.encode = function encodeWithValidOffSize(this: CidSubset, stream: unknown): void {
    // The header's offSize is taken from `cff.length`, which only CFF2 has; 4 is always valid.
    const cff = this.cff;
    this.cff = Object.create(cff, { length: { value: 4 } }) as CidSubset['cff'];
    try {
      encode.call(this, stream);
    } finally {
      this.cff = cff;
    }
  };
}

/** A fontkit facade that opens one named face of a collection (pdf-lib passes only the bytes). */
function fontkitForFace(postscriptName: string) {
  return {
    create(bytes: Uint8Array) {
      const font = (fontkit as unknown as { create(b: Uint8Array, name?: string): { createSubset(): object } }).create(
        bytes,
        postscriptName,
      );
      patchCidSubsetter(Object.getPrototypeOf(font.createSubset()) as Record<string, unknown>);
      return font;
    },
  };
}

/** Six upper-case letters: the subset tag that marks an embedded font as a subset (ISO 32000-1 §9.6.4). */
function subsetTag(): string {
  return Array.from({ length: 6 }, () => String.fromCharCode(65 + randomInt(26))).join('');
}

/** Embeds a subset (only the glyphs drawn) of one face of a CJK font collection. */
export async function embedCjkFont(doc: PDFDocument, ttc: Uint8Array, face = NOTO_SANS_CJK_SC): Promise<PDFFont> {
  doc.registerFontkit(fontkitForFace(face) as unknown as Parameters<PDFDocument['registerFontkit']>[0]);
  return doc.embedFont(ttc, { subset: true, customName: `${subsetTag()}+${face}` });
}
