// Minimal hostile PDFs found by fuzzing (e2e/faults/fuzz.test.ts), built here byte by byte: each
// once made the reader loop, recurse until the stack overflowed, or throw an untyped error. Every
// one must now end quickly in a typed PdfError, or be read when the damage is harmless.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PdfError } from './errors.js';
import { PdfReader } from './pdf/PdfReader.js';
import { verifyPdf } from './verify/verify-pdf.js';

const catalog = '<</Type /Catalog /Pages 2 0 R>>';
const pages = '<</Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 300 400]>>';
const page = '<</Type /Page /Parent 2 0 R>>';

/** A classic file: object i + 1 is bodies[i], with a correct xref table and trailer. */
function classicPdf(bodies: readonly string[]): Buffer {
  let out = '%PDF-1.7\n';
  const offsets = bodies.map((body, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<</Size ${bodies.length + 1} /Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A file whose only cross-reference section is the stream `dict` + `data` (object 9). */
function xrefStreamPdf(dict: string, data: Buffer): Buffer {
  const head = Buffer.from(`%PDF-1.7\n`, 'latin1');
  const xref = Buffer.concat([
    Buffer.from(`9 0 obj\n<</Type /XRef /Root 1 0 R /Length ${data.length} ${dict}>>\nstream\n`, 'latin1'),
    data,
    Buffer.from('\nendstream\nendobj\n'),
  ]);
  return Buffer.concat([head, xref, Buffer.from(`startxref\n${head.length}\n%%EOF\n`, 'latin1')]);
}

/** What reading the page count and verifying end in, and how long each took at most. */
function outcome(bytes: Uint8Array): { result: string; ms: number } {
  const t = performance.now();
  let result: string;
  try {
    result = `pages ${PdfReader.open(bytes).pageCount()}`;
    verifyPdf(bytes, { trustAnchors: [] });
  } catch (err) {
    result = err instanceof PdfError ? `PdfError ${err.code}: ${err.message}` : `untyped ${String(err)}`;
  }
  return { result, ms: performance.now() - t };
}

describe('hostile PDFs end quickly in a typed error', () => {
  it('reads the well-formed base file', () => {
    expect(outcome(classicPdf([catalog, pages, page])).result).toBe('pages 1');
  });

  it('a delimiter in an xref table (an empty token read as 0) no longer loops', () => {
    const bytes = Buffer.from(
      classicPdf([catalog, pages, page]).toString('latin1').replace('xref\n0 ', 'xref]0 '),
      'latin1',
    );
    const { result, ms } = outcome(bytes);
    expect(result).toMatch(/^PdfError corrupt: .*bad xref table/);
    expect(ms).toBeLessThan(1000);
  });

  it('an xref stream with rows of width 0 and a huge /Index is rejected', () => {
    const { result, ms } = outcome(xrefStreamPdf('/W [0 0 0] /Index [0 1000000000000] /Size 3', Buffer.alloc(0)));
    expect(result).toBe('PdfError corrupt: corrupt PDF: bad /W in xref stream');
    expect(ms).toBeLessThan(1000);
  });

  it('an xref stream may not claim more objects than the file can hold, nor inflate beyond its rows', () => {
    const cases: [string, Buffer, string][] = [
      ['/W [0 0 1] /Index [0 1000000000000] /Size 3', Buffer.alloc(0), 'bad /Index or /Size in xref stream'],
      // 8 KB of file claiming 8.4 million objects (once 3.5 s and a RangeError from Map).
      [
        '/W [0 0 1] /Index [0 8388608] /Size 8388608 /Filter /FlateDecode',
        deflateSync(Buffer.alloc(8_388_608)),
        'claim more objects than the file can hold',
      ],
      // Three rows' worth of /Index, 16 MB of inflated data.
      [
        '/W [0 0 1] /Index [0 3] /Size 3 /Filter /FlateDecode',
        deflateSync(Buffer.alloc(16 << 20)),
        'inflates to more than 1030 bytes',
      ],
    ];
    for (const [dict, data, problem] of cases) {
      const { result, ms } = outcome(xrefStreamPdf(dict, data));
      expect(result).toContain(problem);
      expect(ms).toBeLessThan(1000);
    }
  });

  it('an object stream that holds itself is a loop, not a stack overflow', () => {
    // Objects 1 and 2 both "live" in object stream 2.
    const rows = Buffer.from([0, 0, 0, 0, 2, 0, 2, 0, 2, 0, 2, 1]);
    expect(outcome(xrefStreamPdf('/W [1 2 1] /Size 3', rows)).result).toMatch(/^PdfError corrupt: .*refers to itself/);
  });

  it('a stream whose /Length refers to itself is read by looking for endstream', () => {
    const selfLength =
      '<</Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 300 400] /Length 2 0 R>>\nstream\nabc\nendstream';
    expect(outcome(classicPdf([catalog, selfLength, page])).result).toBe('pages 1');
  });

  it('arrays nested 100 000 deep are rejected before the stack runs out', () => {
    const deep = `<</Type /Catalog /Pages 2 0 R /X ${'['.repeat(100_000)}>>`;
    expect(outcome(classicPdf([deep, pages, page])).result).toMatch(/^PdfError corrupt: .*nested too deeply/);
  });

  it('a PNG predictor with /Columns 0 or -1 is corrupt, not a RangeError', () => {
    for (const columns of [0, -1, 1.5]) {
      const dict = `/W [1 2 1] /Size 1 /Filter /FlateDecode /DecodeParms <</Predictor 12 /Columns ${columns}>>`;
      expect(outcome(xrefStreamPdf(dict, deflateSync(Buffer.alloc(10)))).result).toBe(
        'PdfError corrupt: corrupt PDF: bad predictor parameters',
      );
    }
  });
});

describe('page sizes', () => {
  it('reads an inherited /MediaBox and rejects a page count that lies', () => {
    const reader = PdfReader.open(classicPdf([catalog, pages, page]));
    expect(reader.pageSize(0)).toEqual({ width: 300, height: 400 });
    const lying = PdfReader.open(classicPdf([catalog, pages.replace('/Count 1', '/Count 1000000'), page]));
    expect(() => lying.pageSize(lying.pageCount() - 1)).toThrow(/no page 1000000/);
    const noBox = PdfReader.open(classicPdf([catalog, pages.replace('/MediaBox [0 0 300 400]', ''), page]));
    expect(() => noBox.pageSize(0)).toThrow(/page 1 has no \/MediaBox/);
  });
});
