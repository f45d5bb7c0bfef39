// The public-verification stamp every generated 确认书 and every uploaded agreement carries before
// anyone signs: a QR code and a short URL that open /verify with the document's hash.
//
// The QR cannot carry the hash of the file it is drawn in. It carries H = SHA-256 of the document
// exactly as rendered (确认书) or uploaded (agreement), and the stamp is written as an incremental
// update on top of those bytes: they stay an exact prefix of the stamped file and of every signed
// revision after it, so anyone can cut a copy at the end of the revision before the stamp and
// re-compute H. The server stores H with the document (documents.verify_sha256).
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { IncrementalUpdate } from '../../../signing/pdf/IncrementalUpdate.js';
import { dict, name, PdfStream, PdfString } from '../../../signing/pdf/objects.js';
import { PdfReader } from '../../../signing/pdf/PdfReader.js';
import { addToPageAnnots } from '../../../signing/sign/append-signature.js';
import { verifyPagePath, VERIFY_SHORT_REF_LENGTH } from '../../../protocol/http/verify.js';

export interface VerificationLink {
  /** What the QR encodes: the page with the full hash. */
  readonly url: string;
  /** Printed beside the QR for typing: the page with the hash's first hex digits. */
  readonly shortUrl: string;
}

export function verificationLink(publicBaseUrl: string, sha256: string): VerificationLink {
  const base = publicBaseUrl.replace(/\/$/, '');
  return {
    url: `${base}${verifyPagePath(sha256)}`,
    shortUrl: `${base}${verifyPagePath(sha256.slice(0, VERIFY_SHORT_REF_LENGTH))}`,
  };
}

/** Side of the QR (with its quiet zone) in points; it sits in the bottom-right corner of the last page. */
const QR_SIDE = 44;
const EDGE = 3;
const TEXT_SIZE = 6;
/** Courier's advance is 0.6 em: the text can be right-aligned without font metrics. */
const COURIER_ADVANCE = 0.6;

export interface StampedDocument {
  readonly pdf: Buffer;
  /** H: SHA-256 (hex) of the document before the stamp, which the QR carries. */
  readonly verifySha256: string;
}

/**
 * Appends the stamp to the last page as a print-visible annotation with its own appearance, in an
 * incremental update (the page's content streams stay untouched). `linkFor` receives H.
 */
export function stampVerificationQr(pdf: Uint8Array, linkFor: (sha256: string) => VerificationLink): StampedDocument {
  const verifySha256 = createHash('sha256').update(pdf).digest('hex');
  const link = linkFor(verifySha256);
  const reader = PdfReader.open(pdf);
  const last = reader.pageCount() - 1;
  const pageRef = reader.pageRef(last);
  const { width } = reader.pageSize(last);
  const update = new IncrementalUpdate(reader);

  const lines = ['Verify / scan:', link.shortUrl];
  const textWidth = Math.max(...lines.map((l) => l.length)) * TEXT_SIZE * COURIER_ADVANCE;
  const boxWidth = textWidth + 4 + QR_SIDE;
  const appearance = update.add(
    new PdfStream(
      dict({
        Type: name('XObject'),
        Subtype: name('Form'),
        BBox: [0, 0, boxWidth, QR_SIDE],
        Resources: dict({
          Font: dict({
            F1: dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Courier') }),
          }),
        }),
        Filter: name('FlateDecode'),
      }),
      deflateSync(Buffer.from(stampOps(link, textWidth, lines), 'latin1')),
    ),
  );
  const x = width - EDGE - boxWidth;
  const annotation = update.add(
    dict({
      Type: name('Annot'),
      Subtype: name('Stamp'),
      Name: name('TongbanVerify'),
      Rect: [x, EDGE, x + boxWidth, EDGE + QR_SIDE],
      // Print (4) + ReadOnly (64): on paper too, and not movable in a viewer.
      F: 4 | 64,
      Contents: PdfString.latin1(`Verify this document: ${link.url}`),
      P: pageRef,
      AP: dict({ N: appearance }),
    }),
  );
  addToPageAnnots(reader, update, pageRef, annotation);
  return { pdf: update.toBytes().bytes, verifySha256 };
}

function stampOps(link: VerificationLink, textWidth: number, lines: readonly string[]): string {
  const qr = QRCode.create(link.url, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 2;
  const module = QR_SIDE / (n + 2 * quiet);
  const ox = textWidth + 4;
  const ops = ['q', '1 1 1 rg', `${ox} 0 ${QR_SIDE} ${QR_SIDE} re f`, '0 0 0 rg'];
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (!qr.modules.get(row, col)) continue;
      // Rows run top-down in the matrix, PDF y runs bottom-up.
      const mx = ox + (quiet + col) * module;
      const my = QR_SIDE - (quiet + row + 1) * module;
      ops.push(`${mx.toFixed(3)} ${my.toFixed(3)} ${module.toFixed(3)} ${module.toFixed(3)} re`);
    }
  }
  ops.push('f', 'BT', `/F1 ${TEXT_SIZE} Tf`);
  lines.forEach((text, i) => {
    const tx = textWidth - text.length * TEXT_SIZE * COURIER_ADVANCE;
    const ty = 4 + (lines.length - 1 - i) * (TEXT_SIZE + 2);
    ops.push(`1 0 0 1 ${tx.toFixed(2)} ${ty} Tm (${text.replace(/[\\()]/g, '\\$&')}) Tj`);
  });
  ops.push('ET', 'Q');
  return ops.join('\n');
}
