// Lazy reader of a PDF: reads the cross-reference sections (newest first, following /Prev and
// /XRefStm) and parses an object only when asked for it. Signing needs the trailer, the catalog,
// one page and the form, so the cost stays close to reading the xref.
import { PdfError } from '../errors.js';
import { isDict, isName, PdfRef, PdfStream, type PdfDict, type PdfValue } from './objects.js';
import { isWhite, PdfParser } from './parse.js';
import { decodeStream } from './stream-data.js';

type XrefEntry =
  | { readonly kind: 'offset'; readonly offset: number; readonly gen: number }
  | { readonly kind: 'compressed'; readonly stream: number; readonly index: number }
  | { readonly kind: 'free' };

/** One cross-reference section, i.e. one revision of the file. */
export interface XrefSection {
  readonly offset: number;
  readonly kind: 'table' | 'stream';
  readonly trailer: PdfDict;
  readonly entries: ReadonlyMap<number, XrefEntry>;
}

export interface ReaderOptions {
  readonly maxBytes?: number;
}

export class PdfReader {
  readonly #cache = new Map<string, PdfValue>();
  readonly #parsing = new Set<string>();
  /** Parsed object streams, keyed by where the stream object itself lives. */
  readonly #objectStreams = new Map<string, Map<number, PdfValue>>();

  private constructor(
    readonly bytes: Uint8Array,
    /** Newest first. A hybrid file's /XRefStm entries are merged into its table section. */
    readonly sections: readonly XrefSection[],
    readonly startxref: number,
  ) {}

  static open(bytes: Uint8Array, options: ReaderOptions = {}): PdfReader {
    if (bytes.length === 0) throw new PdfError('empty', 'the file is empty');
    if (options.maxBytes !== undefined && bytes.length > options.maxBytes)
      throw new PdfError('too_large', `the PDF is larger than ${options.maxBytes} bytes`);
    const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
    if (!head.includes('%PDF-')) throw new PdfError('not_pdf', 'not a PDF file (no %PDF- header)');
    const startxref = findStartxref(bytes);
    const sections = readSections(bytes, startxref);
    const trailer = sections[0]!.trailer;
    if (trailer.has('Encrypt')) throw new PdfError('encrypted', 'the PDF is encrypted');
    if (!(trailer.get('Root') instanceof PdfRef))
      throw new PdfError('corrupt', 'corrupt PDF: the trailer has no /Root');
    return new PdfReader(bytes, sections, startxref);
  }

  get trailer(): PdfDict {
    return this.sections[0]!.trailer;
  }

  /** Highest object number + 1, as the newest trailer declares it. */
  get size(): number {
    const s = this.trailer.get('Size');
    return typeof s === 'number' ? s : 0;
  }

  /** The entry for `num` as seen from section `from` (0 = newest revision) onwards. */
  entry(num: number, from = 0): XrefEntry | undefined {
    for (let i = from; i < this.sections.length; i++) {
      const e = this.sections[i]!.entries.get(num);
      if (e) return e;
    }
    return undefined;
  }

  /** The object `ref` points to, as of revision `from` (0 = newest); null when it does not exist. */
  object(ref: PdfRef, from = 0): PdfValue {
    const e = this.entry(ref.num, from);
    if (!e || e.kind === 'free') return null;
    const key = e.kind === 'offset' ? `o${e.offset}` : `c${e.stream}.${e.index}`;
    if (this.#cache.has(key)) return this.#cache.get(key)!;
    // An object whose parsing needs itself (a /Length or an object stream that refers back) would recurse forever.
    if (this.#parsing.has(key))
      throw new PdfError('corrupt', `corrupt PDF: object ${ref.num} refers to itself while being read`);
    this.#parsing.add(key);
    try {
      const value = e.kind === 'offset' ? this.#parseAt(e.offset, ref.num) : this.#compressed(e.stream, ref.num, from);
      this.#cache.set(key, value);
      return value;
    } finally {
      this.#parsing.delete(key);
    }
  }

  resolve(v: PdfValue | undefined, from = 0): PdfValue {
    let cur: PdfValue | undefined = v;
    for (let hops = 0; cur instanceof PdfRef && hops < 32; hops++) cur = this.object(cur, from);
    return cur ?? null;
  }

  dict(v: PdfValue | undefined, from = 0): PdfDict | undefined {
    const r = this.resolve(v, from);
    if (isDict(r)) return r;
    if (r instanceof PdfStream) return r.dict;
    return undefined;
  }

  catalog(from = 0): PdfDict {
    const c = this.dict(this.sections[from]!.trailer.get('Root') ?? this.trailer.get('Root'), from);
    if (!c) throw new PdfError('corrupt', 'corrupt PDF: the catalog cannot be read');
    return c;
  }

  /** Reference of page `index` (0-based), walking only the page-tree nodes on the way to it. */
  pageRef(index: number): PdfRef {
    let node = this.catalog().get('Pages');
    let skip = index;
    for (let depth = 0; depth < 64; depth++) {
      const d = this.dict(node);
      if (!d) break;
      if (isName(d.get('Type'), 'Page') || !d.has('Kids')) {
        if (skip === 0 && node instanceof PdfRef) return node;
        break;
      }
      const kids = this.resolve(d.get('Kids'));
      if (!Array.isArray(kids)) break;
      let next: PdfValue | undefined;
      for (const kid of kids) {
        const kd = this.dict(kid);
        const isLeaf = !kd || isName(kd.get('Type'), 'Page') || !kd.has('Kids');
        const count = isLeaf ? 1 : Number(this.resolve(kd.get('Count'))) || 0;
        if (skip < count) {
          next = kid;
          break;
        }
        skip -= count;
      }
      if (next === undefined) break;
      node = next;
    }
    throw new PdfError('corrupt', `the document has no page ${index + 1}`);
  }

  /** Width and height of page `index` (0-based) from its own or inherited /MediaBox. */
  pageSize(index: number): { width: number; height: number } {
    let node: PdfValue | undefined = this.pageRef(index);
    for (let depth = 0; depth < 64 && node !== undefined; depth++) {
      const d = this.dict(node);
      if (!d) break;
      if (d.has('MediaBox')) {
        const box = this.resolve(d.get('MediaBox'));
        const n = Array.isArray(box) ? box.map((v) => this.resolve(v)) : [];
        if (n.length === 4 && n.every((v) => typeof v === 'number' && Number.isFinite(v))) {
          const [x1, y1, x2, y2] = n as number[];
          const size = { width: Math.abs(x2! - x1!), height: Math.abs(y2! - y1!) };
          if (size.width > 0 && size.height > 0) return size;
        }
        throw new PdfError('corrupt', `corrupt PDF: page ${index + 1} has a bad /MediaBox`);
      }
      node = d.get('Parent');
    }
    throw new PdfError('corrupt', `corrupt PDF: page ${index + 1} has no /MediaBox`);
  }

  pageCount(): number {
    const pages = this.dict(this.catalog().get('Pages'));
    const n = pages ? this.resolve(pages.get('Count')) : 0;
    return typeof n === 'number' ? n : 0;
  }

  #parseAt(offset: number, num: number): PdfValue {
    if (offset < 0 || offset >= this.bytes.length)
      throw new PdfError('corrupt', `corrupt PDF: object ${num} points outside the file`);
    const p = new PdfParser(this.bytes, offset, (ref) => {
      try {
        const v = this.resolve(ref);
        return typeof v === 'number' ? v : undefined;
      } catch (err) {
        // An unreadable /Length (one that refers back to this stream, say) is no length: the parser then looks for endstream.
        if (err instanceof PdfError) return undefined;
        throw err;
      }
    });
    const obj = p.indirectObject();
    if (obj.num !== num)
      throw new PdfError('corrupt', `corrupt PDF: xref entry for object ${num} points at object ${obj.num}`);
    return obj.value;
  }

  #compressed(streamNum: number, num: number, from: number): PdfValue {
    const where = this.entry(streamNum, from);
    const key = where?.kind === 'offset' ? `${where.offset}` : `${streamNum}`;
    let objects = this.#objectStreams.get(key);
    if (!objects) {
      const s = this.object(new PdfRef(streamNum, 0), from);
      if (!(s instanceof PdfStream))
        throw new PdfError('corrupt', `corrupt PDF: object stream ${streamNum} is missing`);
      objects = parseObjectStream(s);
      this.#objectStreams.set(key, objects);
    }
    return objects.get(num) ?? null;
  }
}

function parseObjectStream(s: PdfStream): Map<number, PdfValue> {
  const data = decodeStream(s);
  const n = Number(s.dict.get('N'));
  const first = Number(s.dict.get('First'));
  // Each header entry takes at least 4 bytes ("n o "): a larger /N is a lie that would loop for long.
  if (
    !Number.isInteger(n) ||
    n < 0 ||
    n > data.length / 4 ||
    !Number.isInteger(first) ||
    first < 0 ||
    first > data.length
  ) {
    throw new PdfError('corrupt', 'corrupt PDF: bad object stream header');
  }
  const head = new PdfParser(data, 0);
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) pairs.push([head.integer() ?? NaN, head.integer() ?? NaN]);
  const out = new Map<number, PdfValue>();
  for (const [num, off] of pairs) {
    if (!Number.isInteger(num) || !Number.isInteger(off) || off < 0)
      throw new PdfError('corrupt', 'corrupt PDF: bad object stream header');
    out.set(num, new PdfParser(data, first + off).value());
  }
  return out;
}

function findStartxref(bytes: Uint8Array): number {
  const tailStart = Math.max(0, bytes.length - 4096);
  const tail = Buffer.from(bytes.subarray(tailStart)).toString('latin1');
  const at = tail.lastIndexOf('startxref');
  if (at < 0) throw new PdfError('corrupt', 'corrupt or truncated PDF: no startxref');
  const m = /^startxref\s+(\d+)/.exec(tail.slice(at));
  if (!m) throw new PdfError('corrupt', 'corrupt or truncated PDF: bad startxref');
  const offset = Number(m[1]);
  if (offset >= bytes.length)
    throw new PdfError('corrupt', 'corrupt or truncated PDF: startxref points outside the file');
  return offset;
}

/** ISO 32000-1 Annex C: a conforming file has at most this many indirect objects. */
const MAX_OBJECTS = 8_388_607;

/** A subsection of object numbers within the limit; beyond it a count is a lie that would cost memory and time. */
function validRange(start: number, count: number): boolean {
  return (
    Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= MAX_OBJECTS + 1
  );
}

/**
 * Xref rows all sections together may claim: one per byte of the file (and a floor for small files).
 * Overlapping /Prev sections or an inflated xref stream would otherwise cost far more than the file's size.
 */
interface RowBudget {
  left: number;
}

function spend(budget: RowBudget, rows: number): void {
  budget.left -= rows;
  if (budget.left < 0)
    throw new PdfError(
      'corrupt',
      'corrupt PDF: the cross-reference sections claim more objects than the file can hold',
    );
}

function readSections(bytes: Uint8Array, startxref: number): XrefSection[] {
  const budget: RowBudget = { left: Math.max(100_000, bytes.length) };
  const sections: XrefSection[] = [];
  const seen = new Set<number>();
  let offset: number | undefined = startxref;
  while (offset !== undefined) {
    if (seen.has(offset) || sections.length > 10_000)
      throw new PdfError('corrupt', 'corrupt PDF: cross-reference loop');
    seen.add(offset);
    if (offset < 0 || offset >= bytes.length)
      throw new PdfError('corrupt', 'corrupt PDF: /Prev points outside the file');
    const section = readSection(bytes, offset, budget);
    sections.push(section);
    const prev = section.trailer.get('Prev');
    offset = typeof prev === 'number' ? prev : undefined;
  }
  return sections;
}

function readSection(bytes: Uint8Array, offset: number, budget: RowBudget): XrefSection {
  const p = new PdfParser(bytes, offset);
  p.skipWhite();
  const save = p.pos;
  if (p.token() === 'xref') return readTable(bytes, p, offset, budget);
  p.pos = save;
  return readXrefStream(bytes, p, offset, budget);
}

const digitsAt = (bytes: Uint8Array, at: number, n: number): number | undefined => {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = bytes[i]! - 0x30;
    if (!(d >= 0 && d <= 9)) return undefined;
    v = v * 10 + d;
  }
  return v;
};

/**
 * A row as ISO 32000 writes it, "oooooooooo ggggg n" and a two-byte end of line (20 bytes), read
 * without the tokenizer: a large table is most of the work of opening a file. undefined when the
 * row has any other shape; the tokenizer then reads it.
 */
function standardRow(bytes: Uint8Array, at: number): XrefEntry | undefined {
  if (at + 20 > bytes.length || bytes[at + 10] !== 0x20 || bytes[at + 16] !== 0x20) return undefined;
  const type = bytes[at + 17];
  const eol1 = bytes[at + 18]!;
  const eol2 = bytes[at + 19]!;
  if (!(isWhite(eol1) && isWhite(eol2))) return undefined;
  const off = digitsAt(bytes, at, 10);
  const gen = digitsAt(bytes, at + 11, 5);
  if (off === undefined || gen === undefined) return undefined;
  if (type === 0x6e) return { kind: 'offset', offset: off, gen };
  return type === 0x66 ? { kind: 'free' } : undefined;
}

function readTable(bytes: Uint8Array, p: PdfParser, offset: number, budget: RowBudget): XrefSection {
  const entries = new Map<number, XrefEntry>();
  for (;;) {
    p.skipWhite();
    const save = p.pos;
    if (p.token() === 'trailer') break;
    p.pos = save;
    // Every token must be a real integer: a delimiter gives an empty token that moves nothing, and a loop on it never ends.
    const start = p.integer();
    const count = p.integer();
    if (start === undefined || count === undefined || !validRange(start, count)) {
      p.pos = save;
      p.fail('bad xref table');
    }
    spend(budget, count);
    for (let i = 0; i < count; i++) {
      p.skipWhite();
      const row = standardRow(bytes, p.pos);
      if (row) {
        p.pos += 20;
        if (!entries.has(start + i)) entries.set(start + i, row);
        continue;
      }
      const off = p.integer();
      const gen = p.integer();
      const type = p.token();
      if (off === undefined || gen === undefined || (type !== 'n' && type !== 'f')) p.fail('bad xref table entry');
      if (!entries.has(start + i))
        entries.set(start + i, type === 'n' ? { kind: 'offset', offset: off, gen } : { kind: 'free' });
    }
  }
  const trailer = p.value();
  if (!isDict(trailer)) p.fail('trailer is not a dictionary');
  const xrefStm = trailer.get('XRefStm');
  if (typeof xrefStm === 'number' && xrefStm > 0 && xrefStm < bytes.length) {
    // Hybrid file: the table wins, the stream adds the objects that live in object streams.
    for (const [num, e] of readXrefStream(bytes, new PdfParser(bytes, xrefStm), xrefStm, budget).entries)
      if (!entries.has(num)) entries.set(num, e);
  }
  return { offset, kind: 'table', trailer, entries };
}

function readXrefStream(bytes: Uint8Array, p: PdfParser, offset: number, budget: RowBudget): XrefSection {
  let obj;
  try {
    obj = p.indirectObject();
  } catch {
    throw new PdfError('corrupt', 'corrupt PDF: startxref does not point at a cross-reference section');
  }
  const s = obj.value;
  if (!(s instanceof PdfStream) || !isName(s.dict.get('Type'), 'XRef'))
    throw new PdfError('corrupt', 'corrupt PDF: startxref does not point at a cross-reference section');
  const w = s.dict.get('W');
  if (!Array.isArray(w) || w.length !== 3 || !w.every((x) => typeof x === 'number' && x >= 0 && x <= 8))
    throw new PdfError('corrupt', 'corrupt PDF: bad /W in xref stream');
  const [w0, w1, w2] = w as number[];
  const rowLen = w0! + w1! + w2!;
  // Rows of width 0 would never advance through the data, and /Index may claim any count.
  if (rowLen === 0) throw new PdfError('corrupt', 'corrupt PDF: bad /W in xref stream');
  const index = s.dict.get('Index');
  const ranges = Array.isArray(index) ? index : [0, s.dict.get('Size')];
  let rows = 0;
  for (let r = 0; r < ranges.length; r += 2) {
    const [start, count] = [ranges[r], ranges[r + 1]];
    if (typeof start !== 'number' || typeof count !== 'number' || !validRange(start, count))
      throw new PdfError('corrupt', 'corrupt PDF: bad /Index or /Size in xref stream');
    rows += count;
  }
  spend(budget, rows);
  // One row per object (plus a predictor byte each): a stream that inflates to more is a decompression bomb.
  const data = decodeStream(s, rows * (rowLen + 1) + 1024);
  const entries = new Map<number, XrefEntry>();
  const field = (pos: number, width: number): number => {
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 256 + data[pos + i]!;
    return v;
  };
  let pos = 0;
  for (let r = 0; r + 1 < ranges.length; r += 2) {
    const [start, count] = [ranges[r] as number, ranges[r + 1] as number];
    for (let i = 0; i < count && pos + rowLen <= data.length; i++, pos += rowLen) {
      const type = w0 === 0 ? 1 : field(pos, w0!);
      const a = field(pos + w0!, w1!);
      const b = field(pos + w0! + w1!, w2!);
      if (entries.has(start + i)) continue;
      if (type === 1) entries.set(start + i, { kind: 'offset', offset: a, gen: b });
      else if (type === 2) entries.set(start + i, { kind: 'compressed', stream: a, index: b });
      else if (type === 0) entries.set(start + i, { kind: 'free' });
    }
  }
  return { offset, kind: 'stream', trailer: s.dict, entries };
}
