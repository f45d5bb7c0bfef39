// The light reader and incremental writer on their own: typed errors for bad input, and updates
// that leave the input as a prefix and read back (checked by qpdf) for both xref kinds.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdfError } from './errors.js';
import { verifyPdf } from './verify/verify-pdf.js';
import { IncrementalUpdate } from './pdf/IncrementalUpdate.js';
import { dict, name, PdfString, type PdfRef } from './pdf/objects.js';
import { PdfReader } from './pdf/PdfReader.js';
import { run, tempDir } from './test-support/tools.js';

let tmp: ReturnType<typeof tempDir>;
let table: Buffer;
let streams: Buffer;

beforeAll(async () => {
  tmp = tempDir('reader');
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < 5; i++) doc.addPage([595, 842]).drawText(`Page ${i + 1}`, { x: 50, y: 700, font });
  table = Buffer.from(await doc.save({ useObjectStreams: false }));
  streams = Buffer.from(await doc.save({ useObjectStreams: true }));
});

afterAll(() => tmp?.remove());

function codeOf(bytes: Uint8Array, maxBytes?: number): string {
  try {
    PdfReader.open(bytes, { maxBytes });
    return 'ok';
  } catch (err) {
    return err instanceof PdfError ? err.code : `unexpected ${String(err)}`;
  }
}

describe('PdfReader errors', () => {
  it('tells empty, non-PDF, truncated, corrupt, encrypted and oversized input apart', () => {
    expect(codeOf(new Uint8Array())).toBe('empty');
    expect(codeOf(Buffer.from('hello world, not a pdf'))).toBe('not_pdf');
    expect(codeOf(table.subarray(0, table.length - 200))).toBe('corrupt');
    const broken = Buffer.from(table.toString('latin1').replace(/startxref\s+\d+/, 'startxref\n15'), 'latin1');
    expect(codeOf(broken)).toBe('corrupt');
    const plain = join(tmp.dir, 'plain.pdf');
    const encrypted = join(tmp.dir, 'encrypted.pdf');
    writeFileSync(plain, table);
    expect(run('qpdf', ['--encrypt', 'u', 'o', '256', '--', plain, encrypted]).status).toBe(0);
    expect(codeOf(readFileSync(encrypted))).toBe('encrypted');
    expect(codeOf(table, 100)).toBe('too_large');
    expect(codeOf(table)).toBe('ok');
  });
});

describe('xref table rows', () => {
  it('reads rows of other shapes than the 20-byte standard one the same way', () => {
    const text = table.toString('latin1');
    const at = text.lastIndexOf('\nxref');
    const rows = (shape: (offset: string, gen: string, type: string) => string) =>
      Buffer.from(
        text.slice(0, at) +
          text
            .slice(at)
            .replace(/(\d{10}) (\d{5}) ([nf]) ?\r?\n/g, (_m, o: string, g: string, t: string) => shape(o, g, t)),
        'latin1',
      );
    const variants = [
      rows((o, g, t) => `${o} ${g} ${t}\n`), // 19 bytes: one-byte line end
      rows((o, g, t) => `${Number(o)} ${Number(g)} ${t}\r\n`), // no zero padding
      rows((o, g, t) => `${o}  ${g} ${t} \n`), // two spaces inside
    ];
    const standard = PdfReader.open(table);
    const entries = (r: PdfReader) => Array.from({ length: r.size }, (_, n) => r.entry(n));
    expect(entries(standard).filter((e) => e?.kind === 'offset').length).toBeGreaterThan(10);
    for (const variant of variants) {
      expect(variant.equals(table)).toBe(false);
      const reader = PdfReader.open(variant);
      expect(entries(reader)).toEqual(entries(standard));
      expect(reader.pageCount()).toBe(5);
    }
  });
});

describe('damaged input', () => {
  it('fails only with a typed PdfError on truncated or scrambled files', () => {
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const outcomes = new Set<string>();
    for (const source of [table, streams]) {
      for (let i = 0; i < 200; i++) {
        const damaged = Buffer.from(source);
        if (i % 2) for (let k = 0; k < 8; k++) damaged[random(damaged.length)] = random(256);
        const input = i % 2 ? damaged : damaged.subarray(0, random(damaged.length));
        try {
          verifyPdf(input, { trustAnchors: [] });
          outcomes.add('report');
        } catch (err) {
          outcomes.add(err instanceof PdfError ? `PdfError ${err.code}` : `unexpected ${String(err)}`);
        }
      }
    }
    expect([...outcomes].filter((o) => o.startsWith('unexpected'))).toEqual([]);
    expect(outcomes).toContain('PdfError corrupt');
  });
});

describe('IncrementalUpdate', () => {
  for (const [kind, source] of [
    ['table', () => table],
    ['stream', () => streams],
  ] as const) {
    it(`appends to a file with an xref ${kind}, keeping the input as a prefix`, () => {
      const input = source();
      const reader = PdfReader.open(input);
      expect(reader.sections[0]!.kind).toBe(kind);
      const update = new IncrementalUpdate(reader);
      const info = update.add(dict({ Title: PdfString.text('跨域通办') }));
      const catalog = new Map(reader.catalog());
      catalog.set('Lang', PdfString.latin1('zh-CN'));
      catalog.set('PageMode', name('UseNone'));
      update.set(reader.trailer.get('Root') as PdfRef, catalog);
      const out = update.toBytes().bytes;
      expect(out.subarray(0, input.length).equals(input)).toBe(true);

      const again = PdfReader.open(out);
      expect(again.sections.map((s) => s.kind)).toEqual([kind, kind]);
      expect((again.catalog().get('Lang') as PdfString).toText()).toBe('zh-CN');
      expect((again.dict(info)?.get('Title') as PdfString).toText()).toBe('跨域通办');
      expect(again.pageCount()).toBe(5);
      const file = join(tmp.dir, `updated-${kind}.pdf`);
      writeFileSync(file, out);
      const check = run('qpdf', ['--check', file]);
      expect(check.status).toBe(0);
      expect(check.stdout).toContain('No syntax or stream encoding errors');
    });
  }
});
