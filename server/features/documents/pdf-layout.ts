// Small drawing helpers shared by the server-rendered documents: wrapped CJK text and where the
// signature boxes go. Coordinates are PDF points, origin bottom-left; A4 portrait.
import type { PDFFont, PDFPage } from 'pdf-lib';
import { rgb } from 'pdf-lib';

export const A4: readonly [number, number] = [595.28, 841.89];
export const MARGIN = 48;

/** Where a visible signature goes: 1-based page number and [x, y, width, height]. */
export interface SignatureBox {
  readonly page: number;
  readonly rect: readonly [number, number, number, number];
}

/** Splits text into lines no wider than `width` (per character, since CJK has no spaces). */
export function wrapText(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const ch of paragraph) {
      if (line && font.widthOfTextAtSize(line + ch, size) > width) {
        lines.push(line);
        line = '';
      }
      line += ch;
    }
    lines.push(line);
  }
  return lines;
}

/** A cursor that writes lines downwards on a page and reports where it ended. */
export class TextCursor {
  #y: number;

  constructor(
    readonly page: PDFPage,
    readonly font: PDFFont,
    top: number,
  ) {
    this.#y = top;
  }

  get y(): number {
    return this.#y;
  }

  skip(points: number): void {
    this.#y -= points;
  }

  line(text: string, size = 10, x = MARGIN, width = A4[0] - x - MARGIN): void {
    for (const l of wrapText(text, this.font, size, width)) {
      this.#y -= size * 1.45;
      this.page.drawText(l, { x, y: this.#y, size, font: this.font, color: rgb(0.1, 0.1, 0.1) });
    }
  }

  /** A label in grey and its value beside it. */
  field(label: string, value: string, size = 10): void {
    const labelWidth = 135;
    this.#y -= size * 1.45;
    this.page.drawText(label, { x: MARGIN, y: this.#y, size, font: this.font, color: rgb(0.4, 0.4, 0.4) });
    const lines = wrapText(value, this.font, size, A4[0] - 2 * MARGIN - labelWidth);
    lines.forEach((l, i) => {
      if (i > 0) this.#y -= size * 1.45;
      this.page.drawText(l, { x: MARGIN + labelWidth, y: this.#y, size, font: this.font, color: rgb(0.1, 0.1, 0.1) });
    });
  }

  rule(): void {
    this.#y -= 6;
    this.page.drawLine({
      start: { x: MARGIN, y: this.#y },
      end: { x: A4[0] - MARGIN, y: this.#y },
      thickness: 0.5,
      color: rgb(0.7, 0.7, 0.7),
    });
    this.#y -= 4;
  }
}

/**
 * `count` equal boxes side by side along the bottom of a page, above the margin, each labelled
 * beneath its top edge by the caller's signing appearance.
 */
export function signatureRow(
  page: number,
  count: number,
  pageWidth = A4[0],
  bottom = MARGIN,
  height = 110,
): SignatureBox[] {
  const gap = 10;
  const width = (pageWidth - 2 * MARGIN - gap * (count - 1)) / count;
  return Array.from({ length: count }, (_, i) => ({
    page,
    rect: [MARGIN + i * (width + gap), bottom, width, height] as const,
  }));
}
