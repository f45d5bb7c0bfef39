// Reading the interactive form: the signature fields of a document and their full names.
import { isName, PdfRef, PdfString, type PdfDict, type PdfValue } from './objects.js';
import type { PdfReader } from './PdfReader.js';

export interface FormField {
  readonly ref: PdfRef | undefined;
  readonly name: string;
  readonly dict: PdfDict;
}

/** Every terminal field of the AcroForm (with inherited /FT), depth-first, as of revision `from`. */
export function formFields(reader: PdfReader, from = 0): FormField[] {
  const acroForm = reader.dict(reader.catalog(from).get('AcroForm'), from);
  const out: FormField[] = [];
  const seen = new Set<string>();
  const walk = (v: PdfValue, prefix: string, inheritedFt: PdfValue | undefined, depth: number): void => {
    if (depth > 32) return;
    if (v instanceof PdfRef) {
      if (seen.has(v.key)) return;
      seen.add(v.key);
    }
    const d = reader.dict(v, from);
    if (!d) return;
    const t = d.get('T');
    const name = t instanceof PdfString ? (prefix ? `${prefix}.${t.toText()}` : t.toText()) : prefix;
    const ft = d.get('FT') ?? inheritedFt;
    const kids = reader.resolve(d.get('Kids'), from);
    const fieldKids = Array.isArray(kids) ? kids.filter((k) => reader.dict(k, from)?.has('T')) : [];
    if (fieldKids.length) {
      for (const k of fieldKids) walk(k, name, ft, depth + 1);
      return;
    }
    const withFt = new Map(d);
    if (ft !== undefined) withFt.set('FT', ft);
    out.push({ ref: v instanceof PdfRef ? v : undefined, name, dict: withFt });
  };
  const fields = reader.resolve(acroForm?.get('Fields'), from);
  if (Array.isArray(fields)) for (const f of fields) walk(f, '', undefined, 0);
  return out;
}

export function isSignatureField(f: FormField): boolean {
  return isName(f.dict.get('FT'), 'Sig');
}

/** A field name not used yet: "Signature1", "Signature2", … */
export function unusedFieldName(fields: readonly FormField[], base = 'Signature'): string {
  const names = new Set(fields.map((f) => f.name));
  for (let i = 1; ; i++) if (!names.has(`${base}${i}`)) return `${base}${i}`;
}
