// The agreement check reads only what it needs with our bounded reader: a damaged object that
// sends pdf-lib's recovery scan quadratic (it retries an object header at every byte of a long
// digit run, ~40 s here) is no longer parsed at all, and every rejection is a 400 with a message.
import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/errors.js';
import { inspectAgreement } from './agreement-pdf.js';

let plain: Uint8Array;
let pageSizes: { width: number; height: number }[];
/** Page 2's object number: its header is what the damaged variants break. */
let junkObject: number;
let withDigitRun: Uint8Array;

beforeAll(async () => {
  const doc = await PDFDocument.create();
  doc.addPage([595, 842]);
  doc.addPage([842, 595]);
  pageSizes = doc.getPages().map((p) => p.getSize());
  plain = await doc.save({ useObjectStreams: false });
  // An unreferenced stream of 40 000 digits, like a signature's zero-padded /Contents.
  const junk = doc.context.register(doc.context.stream('0'.repeat(40_000)));
  junkObject = junk.objectNumber;
  withDigitRun = await doc.save({ useObjectStreams: false });
});

async function rejection(pdf: Uint8Array): Promise<{ status: number; code: string; message: string }> {
  try {
    await inspectAgreement(pdf);
  } catch (err) {
    if (err instanceof AppError) return { status: err.status, code: err.code, message: err.message };
    throw err;
  }
  throw new Error('the agreement was accepted');
}

describe('inspectAgreement', () => {
  it('reports the page count and the last page size', async () => {
    expect(await inspectAgreement(plain)).toEqual({ pageCount: 2, lastPageSize: pageSizes[1] });
  });

  it('does not parse an object nobody needs, however damaged, and answers at once', async () => {
    const damaged = Buffer.from(withDigitRun);
    const header = `${junkObject} 0 obj`;
    damaged.write(`${junkObject} 0 ob(`, damaged.indexOf(header), 'latin1');
    const t = performance.now();
    expect(await inspectAgreement(damaged)).toEqual({ pageCount: 2, lastPageSize: pageSizes[1] });
    expect(performance.now() - t).toBeLessThan(500);
  });

  it('rejects a damaged xref table, a page count that lies and a missing page box with a 400 and a message', async () => {
    const text = Buffer.from(plain).toString('latin1');
    // Same-length edits: the xref offsets stay right, so only the intended damage is seen.
    const cases: [string, RegExp][] = [
      [text.replace('xref\n0 ', 'xref]0 '), /bad xref table/],
      [text.replace('/Count 2', '/Count 9'), /the document has no page 9/],
      [text.replaceAll('/MediaBox', '/MediaBoz'), /page 2 has no \/MediaBox/],
    ];
    for (const [variant, problem] of cases) {
      const r = await rejection(Buffer.from(variant, 'latin1'));
      expect(r.status).toBe(400);
      expect(r.code).toBe('pdf_corrupt');
      expect(r.message).toMatch(/^not a usable PDF: /);
      expect(r.message).toMatch(problem);
    }
  });
});
