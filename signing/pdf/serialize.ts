// Writes PDF values back to bytes. Streams are written with their stored (encoded) data and a
// direct /Length.
import { PdfName, PdfRaw, PdfRef, PdfStream, PdfString, type PdfValue } from './objects.js';

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  const s = n.toFixed(5).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

function nameToken(n: string): string {
  let out = '/';
  for (const ch of Buffer.from(n, 'latin1')) {
    const regular = ch > 0x20 && ch < 0x7f && !'()<>[]{}/%#'.includes(String.fromCharCode(ch));
    out += regular ? String.fromCharCode(ch) : `#${ch.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function stringToken(s: PdfString): string {
  const b = Buffer.from(s.bytes);
  if (s.hex || b.some((c) => c < 0x20 || c > 0x7e)) return `<${b.toString('hex')}>`;
  return `(${b.toString('latin1').replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/** Appends the serialization of `v` to `out` (strings are latin1 chunks, raw data Uint8Arrays). */
function write(v: PdfValue, out: (string | Uint8Array)[]): void {
  if (v === null) out.push('null');
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (typeof v === 'number') out.push(formatNumber(v));
  else if (v instanceof PdfName) out.push(nameToken(v.name));
  else if (v instanceof PdfRef) out.push(`${v.num} ${v.gen} R`);
  else if (v instanceof PdfString) out.push(stringToken(v));
  else if (v instanceof PdfRaw) out.push(v.bytes);
  else if (Array.isArray(v)) {
    out.push('[');
    v.forEach((item, i) => {
      if (i) out.push(' ');
      write(item, out);
    });
    out.push(']');
  } else if (v instanceof PdfStream) {
    const d = new Map(v.dict);
    d.set('Length', v.raw.length);
    write(d, out);
    out.push('\nstream\n', v.raw, '\nendstream');
  } else {
    out.push('<<');
    for (const [k, item] of v) {
      out.push(nameToken(k), ' ');
      write(item, out);
    }
    out.push('>>');
  }
}

export function serialize(v: PdfValue): Buffer {
  const parts: (string | Uint8Array)[] = [];
  write(v, parts);
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
}
