// The one place that adds a signature to a PDF: a signature dictionary with a zero-filled
// /Contents placeholder, a merged field/widget on a page, the field in /AcroForm, all as one
// incremental update; then the /ByteRange is patched in place and the CMS (or time-stamp
// token) is written into the placeholder.
import { createHash } from 'node:crypto';
import { nodeDigestName } from '../../certs/encoding.js';
import type { DigestAlgorithm } from '../../certs/types.js';
import { SigningError } from '../errors.js';
import { formFields, isSignatureField, unusedFieldName } from '../pdf/form.js';
import { IncrementalUpdate } from '../pdf/IncrementalUpdate.js';
import { dict, isDict, name, PdfRaw, PdfRef, PdfString, type PdfDict, type PdfValue } from '../pdf/objects.js';
import type { PdfReader } from '../pdf/PdfReader.js';

const BYTE_RANGE_PLACEHOLDER = '[0 0000000000 0000000000 0000000000]';

export interface WidgetSpec {
  /** 0-based page index. */
  readonly page: number;
  /** [x1, y1, x2, y2] in default user space; all zeros for an invisible signature. */
  readonly rect: readonly [number, number, number, number];
  /**
   * Adds the appearance objects to the update and returns the normal-appearance XObject, drawn
   * for a box of `size` (the requested rect, or an existing empty field's own rect).
   */
  readonly appearance?: (update: IncrementalUpdate, size: { width: number; height: number }) => Promise<PdfRef>;
}

export interface AppendSignatureRequest {
  /** Entries of the signature dictionary besides /ByteRange and /Contents. */
  readonly sigEntries: PdfDict;
  readonly fieldName?: string;
  readonly widget: WidgetSpec;
  /** Certify the document (DocMDP P=2); only allowed as the first signature. */
  readonly certify?: boolean;
  /** Bytes reserved for the DER in /Contents. */
  readonly reserve: number;
  /** Hash of the ByteRange bytes handed to `produce` (default SHA-256). */
  readonly digest?: DigestAlgorithm;
  /** Produces the DER for /Contents from the digest of the ByteRange bytes. */
  readonly produce: (byteRangeDigest: Uint8Array) => Promise<Uint8Array>;
}

export interface AppendedSignature {
  readonly bytes: Uint8Array;
  readonly fieldName: string;
  /** The DER written into /Contents (without the zero padding). */
  readonly contents: Uint8Array;
}

/**
 * Appends the signature; when the produced DER does not fit the reservation (a larger time-stamp
 * token than estimated), builds the update once more with room for it.
 */
export async function appendSignature(reader: PdfReader, req: AppendSignatureRequest): Promise<AppendedSignature> {
  try {
    return await attempt(reader, req, req.reserve);
  } catch (err) {
    if (!(err instanceof PlaceholderTooSmall)) throw err;
    return await attempt(reader, req, err.needed + 1024);
  }
}

async function attempt(reader: PdfReader, req: AppendSignatureRequest, reserve: number): Promise<AppendedSignature> {
  const fields = formFields(reader);
  const fieldName = req.fieldName ?? unusedFieldName(fields);
  const existing = fields.find((f) => f.name === fieldName);
  // An empty signature field prepared in the document is signed in place when field and widget
  // are one object (poppler 22.12 does not see a value set on a field whose widget is a kid).
  const emptyField =
    existing && isSignatureField(existing) && !existing.dict.has('V') && existing.ref && existing.dict.has('Rect')
      ? existing.ref
      : undefined;
  if (existing && !emptyField)
    throw new SigningError(
      'field_exists',
      `a form field named "${fieldName}" already exists (only empty merged signature fields are signed in place)`,
    );
  if (req.certify && fields.some((f) => isSignatureField(f) && f.dict.has('V')))
    throw new SigningError('invalid_options', 'only the first signature can certify a document');
  const pageCount = reader.pageCount();
  if (req.widget.page < 0 || req.widget.page >= pageCount)
    throw new SigningError(
      'invalid_options',
      `page ${req.widget.page + 1} does not exist (the document has ${pageCount})`,
    );

  const update = new IncrementalUpdate(reader);
  const sigRef = update.allocate();
  const sig = new Map(req.sigEntries);
  sig.set('ByteRange', new PdfRaw(Buffer.from(BYTE_RANGE_PLACEHOLDER)));
  sig.set('Contents', new PdfRaw(Buffer.from(`<${'0'.repeat(reserve * 2)}>`)));
  if (req.certify) {
    sig.set('Reference', [
      dict({
        Type: name('SigRef'),
        TransformMethod: name('DocMDP'),
        TransformParams: dict({ Type: name('TransformParams'), P: 2, V: name('1.2') }),
      }),
    ]);
  }
  update.set(sigRef, sig);

  const catalog = new Map(reader.catalog());
  let catalogChanged: boolean;
  if (emptyField) {
    await fillEmptyField(reader, update, emptyField, sigRef, req.widget.appearance);
    catalogChanged = addToAcroForm(reader, update, catalog, undefined);
  } else {
    const pageRef = reader.pageRef(req.widget.page);
    const [x1, y1, x2, y2] = req.widget.rect;
    const widget = dict({
      Type: name('Annot'),
      Subtype: name('Widget'),
      FT: name('Sig'),
      T: PdfString.text(fieldName),
      V: sigRef,
      F: 132, // Print + Locked
      P: pageRef,
      Rect: [x1, y1, x2, y2],
    });
    if (req.widget.appearance)
      widget.set('AP', dict({ N: await req.widget.appearance(update, { width: x2 - x1, height: y2 - y1 }) }));
    const widgetRef = update.add(widget);
    addToPageAnnots(reader, update, pageRef, widgetRef);
    catalogChanged = addToAcroForm(reader, update, catalog, widgetRef);
  }
  if (req.certify) {
    catalog.set('Perms', dict({ DocMDP: sigRef }));
    catalogChanged = true;
  }
  if (catalogChanged) update.set(reader.trailer.get('Root') as PdfRef, catalog);

  const { bytes, offsets } = update.toBytes();
  const { contentsStart, contentsEnd } = patchByteRange(bytes, offsets.get(sigRef.num)!);
  const h = createHash(nodeDigestName(req.digest ?? 'SHA-256'))
    .update(bytes.subarray(0, contentsStart))
    .update(bytes.subarray(contentsEnd))
    .digest();
  const contents = await req.produce(new Uint8Array(h));
  const hex = Buffer.from(contents).toString('hex');
  if (hex.length > contentsEnd - contentsStart - 2) throw new PlaceholderTooSmall(contents.length);
  bytes.write(hex, contentsStart + 1, 'latin1');
  return { bytes, fieldName, contents };
}

/** Sets /V of an empty merged signature field and draws its appearance at the field's own size. */
async function fillEmptyField(
  reader: PdfReader,
  update: IncrementalUpdate,
  fieldRef: PdfRef,
  sigRef: PdfRef,
  appearance: WidgetSpec['appearance'],
): Promise<void> {
  const field = new Map(reader.dict(fieldRef)!);
  field.set('V', sigRef);
  const r = reader.resolve(field.get('Rect'));
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = Array.isArray(r) ? r.map((v) => (typeof v === 'number' ? v : 0)) : [];
  const size = { width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) };
  if (appearance && size.width >= 1 && size.height >= 1) field.set('AP', dict({ N: await appearance(update, size) }));
  update.set(fieldRef, field);
}

/** The reservation was too small; `needed` is the DER size that did not fit. */
class PlaceholderTooSmall extends SigningError {
  constructor(readonly needed: number) {
    super('placeholder_too_small', `the signature needs ${needed} bytes, more than reserved`);
  }
}

function patchByteRange(bytes: Buffer, sigOffset: number): { contentsStart: number; contentsEnd: number } {
  const brAt = bytes.indexOf(BYTE_RANGE_PLACEHOLDER, sigOffset, 'latin1');
  const contentsStart = bytes.indexOf('/Contents <', sigOffset, 'latin1') + '/Contents '.length;
  const contentsEnd = bytes.indexOf('>', contentsStart, 'latin1') + 1;
  const range = `[0 ${contentsStart} ${contentsEnd} ${bytes.length - contentsEnd}]`;
  bytes.write(range.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), brAt, 'latin1');
  return { contentsStart, contentsEnd };
}

/** Adds an annotation to a page's /Annots, writing the array or the page, wherever the array lives. */
export function addToPageAnnots(
  reader: PdfReader,
  update: IncrementalUpdate,
  pageRef: PdfRef,
  widgetRef: PdfRef,
): void {
  const page = new Map(reader.dict(pageRef)!);
  const annots = page.get('Annots');
  if (annots instanceof PdfRef) {
    // The array is its own object: write a new version of it, leave the page alone.
    const arr = reader.resolve(annots);
    update.set(annots, [...(Array.isArray(arr) ? arr : []), widgetRef]);
    return;
  }
  page.set('Annots', [...(Array.isArray(annots) ? annots : []), widgetRef]);
  update.set(pageRef, page);
}

/**
 * Sets /SigFlags 3 on /AcroForm and adds the new field (if any) to its /Fields, writing the form
 * where it lives; returns whether the catalog itself changed.
 */
function addToAcroForm(
  reader: PdfReader,
  update: IncrementalUpdate,
  catalog: PdfDict,
  widgetRef: PdfRef | undefined,
): boolean {
  const current = catalog.get('AcroForm');
  const form: PdfDict = new Map(reader.dict(current) ?? []);
  if (!widgetRef && form.get('SigFlags') === 3) return false;
  const fields = reader.resolve(form.get('Fields'));
  form.set('Fields', [...(Array.isArray(fields) ? fields : []), ...(widgetRef ? [widgetRef] : [])] as PdfValue[]);
  form.set('SigFlags', 3);
  if (current instanceof PdfRef && isDict(reader.resolve(current))) {
    update.set(current, form);
    return false;
  }
  catalog.set('AcroForm', update.add(form));
  return true;
}
