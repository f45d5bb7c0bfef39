// Checks an uploaded agreement before a ceremony is built on it: a real, unencrypted, bounded PDF
// with at least one page; returns the last page's size for the signature boxes. Only our own lazy
// PdfReader touches the bytes: its work is bounded by the file, and a general parser (pdf-lib)
// can spend seconds on a damaged file while it blocks the server's event loop.
import { PdfReader } from '../../../signing/pdf/PdfReader.js';
import { PdfError } from '../../../signing/errors.js';
import { BadRequestError, PayloadTooLargeError } from '../../kernel/errors.js';

export const AGREEMENT_MAX_BYTES = 20 * 1024 * 1024;

export interface AgreementFacts {
  readonly pageCount: number;
  readonly lastPageSize: { readonly width: number; readonly height: number };
}

export async function inspectAgreement(pdf: Uint8Array): Promise<AgreementFacts> {
  if (pdf.byteLength > AGREEMENT_MAX_BYTES)
    throw new PayloadTooLargeError(`the agreement exceeds ${AGREEMENT_MAX_BYTES} bytes`);
  try {
    const reader = PdfReader.open(pdf, { maxBytes: AGREEMENT_MAX_BYTES });
    const pageCount = reader.pageCount();
    if (pageCount < 1) throw new BadRequestError('the PDF has no pages', 'pdf_empty');
    // Reading the last page also proves that /Count is not a lie: the signature boxes go there.
    return { pageCount, lastPageSize: reader.pageSize(pageCount - 1) };
  } catch (err) {
    if (err instanceof BadRequestError) throw err;
    if (err instanceof PdfError) {
      const message = err.code === 'encrypted' ? 'the PDF is encrypted' : `not a usable PDF: ${err.message}`;
      throw new BadRequestError(message, `pdf_${err.code}`);
    }
    throw new BadRequestError('not a usable PDF', 'pdf_corrupt');
  }
}
