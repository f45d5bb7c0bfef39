// Decodes the stream filters the reader needs for xref streams, object streams and the
// signature data it inspects: FlateDecode with PNG/TIFF predictors.
import { inflateSync } from 'node:zlib';
import { PdfError } from '../errors.js';
import { isDict, isName, type PdfDict, type PdfStream, type PdfValue } from './objects.js';

function asArray(v: PdfValue | undefined): PdfValue[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Bound on one decoded stream, against compression bombs (xref and object streams are far smaller). */
const MAX_DECODED_BYTES = 256 * 1024 * 1024;

/** `maxBytes` bounds each filter's output when the caller knows how much data it can need. */
export function decodeStream(stream: PdfStream, maxBytes = MAX_DECODED_BYTES): Uint8Array {
  const limit = Math.min(maxBytes, MAX_DECODED_BYTES);
  const filters = asArray(stream.dict.get('Filter'));
  const params = asArray(stream.dict.get('DecodeParms'));
  let data: Uint8Array = stream.raw;
  filters.forEach((f, i) => {
    if (!isName(f, 'FlateDecode'))
      throw new PdfError('unsupported', `unsupported stream filter ${isName(f) ? f.name : '?'}`);
    try {
      data = inflateSync(data, {
        finishFlush: 2 /* Z_SYNC_FLUSH: tolerate a missing end marker */,
        maxOutputLength: limit,
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new PdfError('corrupt', `corrupt PDF: a compressed stream inflates to more than ${limit} bytes`);
      throw new PdfError('corrupt', 'corrupt PDF: a compressed stream cannot be inflated');
    }
    const p = params[i];
    if (isDict(p)) data = unpredict(data, p);
  });
  return data;
}

function num(d: PdfDict, key: string, fallback: number): number {
  const v = d.get(key);
  return typeof v === 'number' ? v : fallback;
}

/** Reverses PNG (10–15) row predictors; also used to decode PNG image data. */
export function unpredict(data: Uint8Array, p: PdfDict): Uint8Array {
  const predictor = num(p, 'Predictor', 1);
  if (predictor < 10) {
    if (predictor === 1) return data;
    throw new PdfError('unsupported', 'unsupported TIFF predictor');
  }
  const colors = num(p, 'Colors', 1);
  const bpc = num(p, 'BitsPerComponent', 8);
  const columns = num(p, 'Columns', 1);
  // Zero, negative or fractional values would make no rows or endless ones.
  if (![colors, bpc, columns].every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_DECODED_BYTES))
    throw new PdfError('corrupt', 'corrupt PDF: bad predictor parameters');
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((colors * bpc * columns) / 8);
  const rows = Math.floor(data.length / (rowLen + 1));
  const out = new Uint8Array(rows * rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)]!;
    const src = r * (rowLen + 1) + 1;
    const dst = r * rowLen;
    for (let i = 0; i < rowLen; i++) {
      const x = data[src + i]!;
      const a = i >= bpp ? out[dst + i - bpp]! : 0;
      const b = r > 0 ? out[dst - rowLen + i]! : 0;
      const c = r > 0 && i >= bpp ? out[dst - rowLen + i - bpp]! : 0;
      let v: number;
      if (type === 0) v = x;
      else if (type === 1) v = x + a;
      else if (type === 2) v = x + b;
      else if (type === 3) v = x + ((a + b) >> 1);
      else if (type === 4) {
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      } else throw new PdfError('corrupt', 'corrupt PDF: bad PNG predictor row');
      out[dst + i] = v & 0xff;
    }
  }
  return out;
}
