// The PDF object model of the light parser: just enough to read a trailer, a catalog, a page
// and a form, and to write new versions of them.

export class PdfName {
  constructor(readonly name: string) {}
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
  get key(): string {
    return `${this.num} ${this.gen}`;
  }
}

/** A string as its raw bytes; `hex` records how it was (or should be) written. */
export class PdfString {
  constructor(
    readonly bytes: Uint8Array,
    readonly hex = false,
  ) {}
  static latin1(text: string): PdfString {
    return new PdfString(Buffer.from(text, 'latin1'));
  }
  /** A text string in UTF-16BE with BOM, as the PDF text-string type allows for non-Latin text. */
  static text(text: string): PdfString {
    if (/^[\x20-\x7e]*$/.test(text)) return PdfString.latin1(text);
    const utf16 = Buffer.from(text, 'utf16le').swap16();
    return new PdfString(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16]), true);
  }
  toText(): string {
    const b = this.bytes;
    if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return Buffer.from(b.subarray(2)).swap16().toString('utf16le');
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf)
      return Buffer.from(b.subarray(3)).toString('utf8');
    return Buffer.from(b).toString('latin1');
  }
}

/** Bytes written verbatim (used for the signature placeholders whose offsets must be known). */
export class PdfRaw {
  constructor(readonly bytes: Uint8Array) {}
}

export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    /** The stream data as stored in the file (still encoded by its /Filter). */
    readonly raw: Uint8Array,
  ) {}
}

export type PdfDict = Map<string, PdfValue>;
export type PdfValue =
  null | boolean | number | PdfName | PdfRef | PdfString | PdfRaw | PdfStream | PdfDict | PdfValue[];

export const name = (n: string): PdfName => new PdfName(n);

export function dict(entries: Record<string, PdfValue | undefined>): PdfDict {
  const m: PdfDict = new Map();
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) m.set(k, v);
  return m;
}

export function isDict(v: PdfValue | undefined): v is PdfDict {
  return v instanceof Map;
}

export function isName(v: PdfValue | undefined, n?: string): v is PdfName {
  return v instanceof PdfName && (n === undefined || v.name === n);
}
