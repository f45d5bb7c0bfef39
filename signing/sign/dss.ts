// PAdES B-LT: a Document Security Store (/DSS in the catalog) with the certificates and CRLs a
// verifier needs later, and a /VRI entry per signature keyed by the uppercase SHA-1 hex of its
// /Contents bytes. Added as its own incremental update; an existing DSS is extended.
import { createHash } from 'node:crypto';
import { formFields, isSignatureField } from '../pdf/form.js';
import { IncrementalUpdate } from '../pdf/IncrementalUpdate.js';
import { dict, name, PdfRef, PdfStream, PdfString, type PdfDict, type PdfValue } from '../pdf/objects.js';
import { PdfReader } from '../pdf/PdfReader.js';
import { decodeStream } from '../pdf/stream-data.js';
import type { ValidationMaterial } from './options.js';

export interface DssOptions {
  readonly maxBytes?: number;
}

const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Refs of the existing streams in a DSS array, keyed by the hash of their content. */
function existingStreams(reader: PdfReader, arr: PdfValue): Map<string, PdfRef> {
  const out = new Map<string, PdfRef>();
  const list = reader.resolve(arr);
  if (!Array.isArray(list)) return out;
  for (const r of list) {
    const s = reader.resolve(r);
    if (r instanceof PdfRef && s instanceof PdfStream) out.set(sha256Hex(decodeStream(s)), r);
  }
  return out;
}

function addStreams(update: IncrementalUpdate, known: Map<string, PdfRef>, items: readonly Uint8Array[]): PdfRef[] {
  const refs: PdfRef[] = [];
  for (const der of items) {
    const key = sha256Hex(der);
    let ref = known.get(key);
    if (!ref) {
      ref = update.add(new PdfStream(new Map(), der));
      known.set(key, ref);
    }
    if (!refs.includes(ref)) refs.push(ref);
  }
  return refs;
}

export async function addDss(
  pdf: Uint8Array,
  material: ValidationMaterial,
  options: DssOptions = {},
): Promise<Uint8Array> {
  const reader = PdfReader.open(pdf, { maxBytes: options.maxBytes });
  const update = new IncrementalUpdate(reader);
  const catalog = new Map(reader.catalog());
  const old: PdfDict = reader.dict(catalog.get('DSS')) ?? new Map();
  const certs = existingStreams(reader, old.get('Certs') ?? null);
  const crls = existingStreams(reader, old.get('CRLs') ?? null);
  const newCerts = addStreams(update, certs, material.certificates);
  const newCrls = addStreams(update, crls, material.crls);

  const vri: PdfDict = new Map(reader.dict(old.get('VRI')) ?? []);
  for (const field of formFields(reader).filter(isSignatureField)) {
    const sig = reader.dict(field.dict.get('V'));
    const contents = sig?.get('Contents');
    if (!(contents instanceof PdfString)) continue;
    const key = createHash('sha1').update(contents.bytes).digest('hex').toUpperCase();
    if (!vri.has(key))
      vri.set(key, dict({ Cert: newCerts.length ? newCerts : undefined, CRL: newCrls.length ? newCrls : undefined }));
  }
  const dss = new Map(old);
  dss.set('Type', name('DSS'));
  dss.set('Certs', [...new Set(certs.values())]);
  dss.set('CRLs', [...new Set(crls.values())]);
  dss.set('VRI', vri);
  if (!crls.size) dss.delete('CRLs');
  const current = catalog.get('DSS');
  if (current instanceof PdfRef) update.set(current, dss);
  else {
    catalog.set('DSS', update.add(dss));
    update.set(reader.trailer.get('Root') as PdfRef, catalog);
  }
  return update.toBytes().bytes;
}
