// Checks an uploaded agreement before a ceremony is built on it: a real, unencrypted, bounded PDF
// with at least one page; returns the last page's size for the signature boxes.
import { PDFDocument } from 'pdf-lib';
import { PdfReader } from '../../../signing/pdf/PdfReader.js';
import { PdfError } from '../../../signing/errors.js';
import { BadRequestError, PayloadTooLargeError } from '../../errors.js';

export const AGREEMENT_MAX_BYTES = 20 * 1024 * 1024;

export interface AgreementFacts {
  readonly pageCount: number;
  readonly lastPageSize: { readonly width: number; readonly height: number };
}

export async function inspectAgreement(pdf: Uint8Array): Promise<AgreementFacts> {
  if (pdf.byteLength > AGREEMENT_MAX_BYTES) throw new PayloadTooLargeError(`协议文件过大 / the agreement exceeds ${AGREEMENT_MAX_BYTES} bytes`);
  let pageCount: number;
  try {
    pageCount = PdfReader.open(pdf, { maxBytes: AGREEMENT_MAX_BYTES }).pageCount();
  } catch (err) {
    if (err instanceof PdfError) {
      const message =
        err.code === 'encrypted'
          ? '协议文件已加密，请上传未加密的 PDF / the PDF is encrypted'
          : `协议文件无法读取 / not a usable PDF: ${err.message}`;
      throw new BadRequestError(message, `pdf_${err.code}`);
    }
    throw new BadRequestError('协议文件无法读取 / not a usable PDF', 'pdf_corrupt');
  }
  if (pageCount < 1) throw new BadRequestError('协议文件没有页面 / the PDF has no pages', 'pdf_empty');
  try {
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    const { width, height } = doc.getPage(doc.getPageCount() - 1).getSize();
    return { pageCount, lastPageSize: { width, height } };
  } catch {
    throw new BadRequestError('协议文件无法读取 / not a usable PDF', 'pdf_corrupt');
  }
}
