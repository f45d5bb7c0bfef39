// A small PDF object parser over raw bytes: reads one value (or one "n g obj … endobj") at a
// given offset. It never scans the whole file; callers jump to offsets taken from the xref.
import { PdfError } from '../errors.js';
import { PdfName, PdfRef, PdfStream, PdfString, type PdfDict, type PdfValue } from './objects.js';

// Byte classes as a table: the tokenizer asks once per byte, and a Set lookup there dominated parsing.
const WHITE = 1;
const DELIMITER = 2;
const CLASS = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) CLASS[c] = WHITE;
for (const c of [0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]) CLASS[c] = DELIMITER;

export const isWhite = (c: number): boolean => CLASS[c] === WHITE;
const isRegular = (c: number): boolean => CLASS[c] === 0;

/** bytes[start, end) as text, one character per byte; short tokens without a Buffer per call. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start > 64) return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Resolves an indirect /Length while parsing a stream. */
export type LengthResolver = (ref: PdfRef) => number | undefined;

export interface Parsed<T> {
  readonly value: T;
  readonly end: number;
}

/** Deeper nesting is no real document, and recursion that deep would overflow the stack. */
const MAX_DEPTH = 256;

export class PdfParser {
  pos: number;
  #depth = 0;
  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
    private readonly resolveLength?: LengthResolver,
  ) {
    this.pos = pos;
  }

  fail(what: string): never {
    throw new PdfError('corrupt', `corrupt PDF: ${what} at offset ${this.pos}`);
  }

  skipWhite(): void {
    const b = this.bytes;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (CLASS[c] === WHITE) this.pos++;
      else if (c === 0x25) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else break;
    }
  }

  /** A bare keyword or number token (letters, digits, signs, dots). */
  token(): string {
    this.skipWhite();
    const start = this.pos;
    while (this.pos < this.bytes.length && isRegular(this.bytes[this.pos]!)) this.pos++;
    return latin1(this.bytes, start, this.pos);
  }

  /** A token that must be a plain integer (at most 15 digits); undefined otherwise. */
  integer(): number | undefined {
    this.skipWhite();
    const b = this.bytes;
    const start = this.pos;
    let end = start;
    while (end < b.length && isRegular(b[end]!)) end++;
    const signed = b[start] === 0x2b || b[start] === 0x2d ? 1 : 0;
    const digits = end - start - signed;
    if (digits < 1 || digits > 15) {
      this.pos = end;
      return undefined;
    }
    let n = 0;
    for (let i = start + signed; i < end; i++) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) {
        this.pos = end;
        return undefined;
      }
      n = n * 10 + d;
    }
    this.pos = end;
    return b[start] === 0x2d ? -n : n;
  }

  expectKeyword(k: string): void {
    const t = this.token();
    if (t !== k) this.fail(`expected "${k}", found "${t.slice(0, 20)}"`);
  }

  /** "n g obj <value> endobj"; returns the object number, generation and value. */
  indirectObject(): { num: number; gen: number; value: PdfValue } {
    const num = this.integer();
    const gen = this.integer();
    if (num === undefined || gen === undefined) this.fail('expected an object header');
    this.expectKeyword('obj');
    const value = this.value();
    return { num, gen, value };
  }

  value(): PdfValue {
    if (this.#depth >= MAX_DEPTH) this.fail('objects nested too deeply');
    this.#depth++;
    try {
      return this.#value();
    } finally {
      this.#depth--;
    }
  }

  #value(): PdfValue {
    this.skipWhite();
    const b = this.bytes;
    if (this.pos >= b.length) this.fail('unexpected end of data');
    const c = b[this.pos]!;
    if (c === 0x2f) return this.nameValue();
    if (c === 0x28) return this.literalString();
    if (c === 0x3c) {
      if (b[this.pos + 1] === 0x3c) return this.dictOrStream();
      return this.hexString();
    }
    if (c === 0x5b) {
      this.pos++;
      const arr: PdfValue[] = [];
      for (;;) {
        this.skipWhite();
        if (this.pos >= b.length) this.fail('unterminated array');
        if (b[this.pos] === 0x5d) {
          this.pos++;
          return arr;
        }
        arr.push(this.value());
      }
    }
    const t = this.token();
    if (t === '') this.fail(`unexpected byte 0x${c.toString(16)}`);
    if (t === 'true') return true;
    if (t === 'false') return false;
    if (t === 'null') return null;
    const n = Number(t);
    if (Number.isNaN(n)) this.fail(`unexpected token "${t.slice(0, 20)}"`);
    // "n g R" is an indirect reference: look ahead without consuming on mismatch.
    if (Number.isInteger(n) && n >= 0) {
      const save = this.pos;
      const g = this.token();
      if (/^\d+$/.test(g)) {
        const r = this.token();
        if (r === 'R') return new PdfRef(n, Number(g));
      }
      this.pos = save;
    }
    return n;
  }

  private nameValue(): PdfName {
    this.pos++;
    const start = this.pos;
    while (this.pos < this.bytes.length && isRegular(this.bytes[this.pos]!)) this.pos++;
    const raw = Buffer.from(this.bytes.subarray(start, this.pos)).toString('latin1');
    return new PdfName(
      raw.includes('#')
        ? raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
        : raw,
    );
  }

  private hexString(): PdfString {
    const b = this.bytes;
    const end = b.indexOf(0x3e, this.pos + 1);
    if (end < 0) this.fail('unterminated hex string');
    let hex = Buffer.from(b.buffer, b.byteOffset + this.pos + 1, end - this.pos - 1).toString('latin1');
    if (/[^0-9a-fA-F]/.test(hex)) {
      // eslint-disable-next-line no-control-regex -- PDF white space (ISO 32000-1 §7.2.2) includes NUL and controls
      hex = hex.replace(/[\x00\x09\x0a\x0c\x0d\x20]/g, '');
      if (/[^0-9a-fA-F]/.test(hex)) this.fail('bad hex string');
    }
    this.pos = end + 1;
    // An odd final digit counts as if followed by 0 (ISO 32000-1 §7.3.4.3).
    return new PdfString(new Uint8Array(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex')), true);
  }

  private literalString(): PdfString {
    const b = this.bytes;
    this.pos++;
    const out: number[] = [];
    let depth = 1;
    while (this.pos < b.length) {
      const c = b[this.pos++]!;
      if (c === 0x5c) {
        const e = b[this.pos++]!;
        const simple: Record<number, number> = {
          0x6e: 10,
          0x72: 13,
          0x74: 9,
          0x62: 8,
          0x66: 12,
          0x28: 0x28,
          0x29: 0x29,
          0x5c: 0x5c,
        };
        if (e in simple) out.push(simple[e]!);
        else if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let k = 0; k < 2 && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37; k++)
            v = v * 8 + (b[this.pos++]! - 0x30);
          out.push(v & 0xff);
        } else if (e === 0x0d) {
          if (b[this.pos] === 0x0a) this.pos++;
        } else if (e !== 0x0a) out.push(e);
      } else if (c === 0x28) {
        depth++;
        out.push(c);
      } else if (c === 0x29) {
        if (--depth === 0) return new PdfString(Uint8Array.from(out));
        out.push(c);
      } else out.push(c);
    }
    this.fail('unterminated string');
  }

  private dictOrStream(): PdfDict | PdfStream {
    const b = this.bytes;
    this.pos += 2;
    const d: PdfDict = new Map();
    for (;;) {
      this.skipWhite();
      if (this.pos >= b.length) this.fail('unterminated dictionary');
      if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
        this.pos += 2;
        break;
      }
      const key = this.value();
      if (!(key instanceof PdfName)) this.fail('dictionary key is not a name');
      d.set(key.name, this.value());
    }
    const save = this.pos;
    if (this.token() !== 'stream') {
      this.pos = save;
      return d;
    }
    // The data starts after CRLF or LF following the keyword.
    if (b[this.pos] === 0x0d) this.pos++;
    if (b[this.pos] === 0x0a) this.pos++;
    const start = this.pos;
    let length = d.get('Length');
    if (length instanceof PdfRef) length = this.resolveLength?.(length) ?? null;
    let end = typeof length === 'number' ? start + length : -1;
    if (end < start || end > b.length || !this.endstreamAt(end)) end = this.findEndstream(start);
    this.pos = end;
    this.expectKeyword('endstream');
    return new PdfStream(d, b.subarray(start, end));
  }

  private endstreamAt(end: number): boolean {
    let p = end;
    while (p < this.bytes.length && isWhite(this.bytes[p]!)) p++;
    return (
      Buffer.from(this.bytes.buffer, this.bytes.byteOffset + p, Math.min(9, this.bytes.length - p)).toString(
        'latin1',
      ) === 'endstream'
    );
  }

  private findEndstream(start: number): number {
    const idx = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length).indexOf(
      'endstream',
      start,
      'latin1',
    );
    if (idx < 0) this.fail('stream without endstream');
    let end = idx;
    if (this.bytes[end - 1] === 0x0a) end--;
    if (this.bytes[end - 1] === 0x0d) end--;
    return end;
  }
}
