// PAdES signing of a PDF at level B-B, B-T, B-LT or B-LTA, as incremental updates only.
import { buildAppearance } from '../appearance/signature-appearance.js';
import type { TimeStamper } from '../../certs/types.js';
import { createCadesSignature } from '../cms/create-cms.js';
import { checkSignedData } from '../cms/check-signed-data.js';
import { pdfDate } from '../pdf/date.js';
import { dict, name, PdfString } from '../pdf/objects.js';
import { PdfReader } from '../pdf/PdfReader.js';
import { appendSignature, type WidgetSpec } from './append-signature.js';
import { addDocumentTimestamp } from './document-timestamp.js';
import { addDss } from './dss.js';
import { checkSignOptions, type SignPdfOptions } from './options.js';

/** CMS framing, attributes and signature value around the certificates. */
const CMS_OVERHEAD = 2_048;
/** A time-stamp token with its TSA certificate chain. */
const TOKEN_RESERVE = 10_000;

const optionalText = (s: string | undefined): PdfString | undefined =>
  s === undefined ? undefined : PdfString.text(s);

export async function signPdf(pdf: Uint8Array, o: SignPdfOptions): Promise<Uint8Array> {
  checkSignOptions(o);
  const reader = PdfReader.open(pdf, { maxBytes: o.maxBytes });
  let tokenDer: Uint8Array | undefined;
  // Keep the signature time-stamp token for the DSS (its TSA certificates) without re-parsing the CMS.
  const timeStamper: TimeStamper | undefined =
    o.level === 'B-B' || !o.timeStamper
      ? undefined
      : { timestamp: async (hash, digest) => (tokenDer = await o.timeStamper!.timestamp(hash, digest)) };
  const a = o.appearance;
  const widget: WidgetSpec = a
    ? {
        page: a.page - 1,
        rect: [a.rect[0], a.rect[1], a.rect[0] + a.rect[2], a.rect[1] + a.rect[3]],
        appearance: (u, size) => buildAppearance(u, { ...a, rect: [a.rect[0], a.rect[1], size.width, size.height] }),
      }
    : { page: 0, rect: [0, 0, 0, 0] };
  const certBytes = [o.signer.certificate, ...o.signer.chain].reduce((n, c) => n + c.length, 0);
  const signed = await appendSignature(reader, {
    sigEntries: dict({
      Type: name('Sig'),
      Filter: name('Adobe.PPKLite'),
      SubFilter: name('ETSI.CAdES.detached'),
      M: PdfString.latin1(pdfDate(o.signingTime)),
      Name: optionalText(o.name),
      Reason: optionalText(o.reason),
      Location: optionalText(o.location),
      ContactInfo: optionalText(o.contactInfo),
    }),
    fieldName: o.field,
    widget,
    certify: o.certify,
    reserve: certBytes + CMS_OVERHEAD + (timeStamper ? TOKEN_RESERVE : 0),
    produce: (d) => createCadesSignature(d, o.signer, { timeStamper }),
  });
  let out = signed.bytes;
  if (o.level === 'B-LT' || o.level === 'B-LTA') {
    const tsaCerts = tokenDer ? checkSignedData(tokenDer).certificates : [];
    out = await addDss(out, {
      certificates: [o.signer.certificate, ...o.signer.chain, ...tsaCerts, ...(o.validation?.certificates ?? [])],
      crls: o.validation?.crls ?? [],
    });
  }
  if (o.level === 'B-LTA') out = await addDocumentTimestamp(out, o.timeStamper!);
  return out;
}
