// The visible signature: a bordered box with an optional seal/handwriting image on the left and
// the signer's name, role and site, time and reason on the right, in an embedded CJK subset.
import { deflateSync } from 'node:zlib';
import type { IncrementalUpdate } from '../pdf/IncrementalUpdate.js';
import { dict, name, PdfStream, type PdfRef } from '../pdf/objects.js';
import { formatNumber as f } from '../pdf/serialize.js';
import type { SignatureAppearance } from '../sign/options.js';
import { embedPng } from './png-image.js';
import { embedSubsetFont } from './subset-font.js';

const LINE_GAP = 1.25;
const NAME_SCALE = 1.3;
const MAX_FONT_SIZE = 14;

export function appearanceLines(a: SignatureAppearance): string[] {
  const t = a.texts;
  return [t.name, [t.role, t.site].filter(Boolean).join(' · '), t.time ?? '', t.reason ?? ''].filter(
    (l) => l.length > 0,
  );
}

/** Adds the appearance XObject (and its font and image) to `update`; returns its reference. */
export async function buildAppearance(update: IncrementalUpdate, a: SignatureAppearance): Promise<PdfRef> {
  const [, , w, h] = a.rect;
  const pad = Math.min(4, h * 0.06);
  const lines = appearanceLines(a);
  const font = await embedSubsetFont(update, a.font, lines.join(''), a.fontName);
  const ops: string[] = ['q 0.72 0.1 0.1 RG 0.8 w', `0.4 0.4 ${f(w - 0.8)} ${f(h - 0.8)} re S Q`];
  const resources = dict({ Font: dict({ F1: font.ref }) });

  let textX = pad;
  if (a.image) {
    const img = embedPng(update, a.image);
    const maxW = w * 0.4;
    const maxH = h - 2 * pad;
    const scale = Math.min(maxW / img.width, maxH / img.height);
    const iw = img.width * scale;
    const ih = img.height * scale;
    ops.push(`q ${f(iw)} 0 0 ${f(ih)} ${f(pad)} ${f((h - ih) / 2)} cm /Im1 Do Q`);
    resources.set('XObject', dict({ Im1: img.ref }));
    textX = pad + iw + pad;
  }
  const textW = Math.max(1, w - textX - 2 * pad);
  const units = NAME_SCALE + (lines.length - 1);
  let size = Math.min(MAX_FONT_SIZE, (h - 2 * pad) / (LINE_GAP * units));
  lines.forEach((line, i) => {
    const lineSize = i === 0 ? size * NAME_SCALE : size;
    const wide = font.width(line, lineSize);
    if (wide > textW) size *= textW / wide;
  });
  const blockH = size * LINE_GAP * units;
  let y = (h + blockH) / 2;
  ops.push('BT 0.1 0.1 0.1 rg');
  lines.forEach((line, i) => {
    const lineSize = i === 0 ? size * NAME_SCALE : size;
    y -= lineSize * LINE_GAP;
    ops.push(`/F1 ${f(lineSize)} Tf 1 0 0 1 ${f(textX)} ${f(y + lineSize * 0.25)} Tm <${font.encode(line)}> Tj`);
  });
  ops.push('ET');
  const content = deflateSync(Buffer.from(ops.join('\n'), 'latin1'));
  return update.add(
    new PdfStream(
      dict({
        Type: name('XObject'),
        Subtype: name('Form'),
        BBox: [0, 0, w, h],
        Resources: resources,
        Filter: name('FlateDecode'),
      }),
      content,
    ),
  );
}
