// A small multi-page agreement PDF for the ceremony (flow B), made with pdf-lib.
import { PDFDocument, StandardFonts } from 'pdf-lib';

export async function agreementPdf(pages = 3): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage([595, 842]);
    page.drawText('Ninghai - Jiaojiang cross-region service cooperation agreement', { x: 50, y: 780, size: 14, font });
    page.drawText(`Article ${i}: the parties handle the listed matters for each other's residents.`, {
      x: 50,
      y: 740,
      size: 11,
      font,
    });
    page.drawText(`Page ${i} of ${pages}`, { x: 270, y: 40, size: 10, font });
  }
  return Buffer.from(await doc.save());
}
