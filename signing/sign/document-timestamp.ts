// PAdES document time-stamp (B-LTA): an invisible /DocTimeStamp signature whose /Contents is an
// RFC 3161 token over the SHA-256 of the ByteRange bytes.
import type { DigestAlgorithm, TimeStamper } from '../../certs/types.js';
import { formFields, unusedFieldName } from '../pdf/form.js';
import { dict, name } from '../pdf/objects.js';
import { PdfReader } from '../pdf/PdfReader.js';
import { appendSignature } from './append-signature.js';

export interface DocumentTimestampOptions {
  readonly field?: string;
  readonly maxBytes?: number;
  /** Hash of the ByteRange bytes in the token's messageImprint (default SHA-256; a renewal may need a stronger one). */
  readonly digest?: DigestAlgorithm;
}

/** Room for a token with its TSA certificate and chain; appendSignature grows it if needed. */
const TOKEN_RESERVE = 12_000;

export async function addDocumentTimestamp(
  pdf: Uint8Array,
  timeStamper: TimeStamper,
  options: DocumentTimestampOptions = {},
): Promise<Uint8Array> {
  const reader = PdfReader.open(pdf, { maxBytes: options.maxBytes });
  const signed = await appendSignature(reader, {
    sigEntries: dict({ Type: name('DocTimeStamp'), Filter: name('Adobe.PPKLite'), SubFilter: name('ETSI.RFC3161') }),
    fieldName: options.field ?? unusedFieldName(formFields(reader), 'DocTimeStamp'),
    widget: { page: 0, rect: [0, 0, 0, 0] },
    reserve: TOKEN_RESERVE,
    digest: options.digest,
    produce: (byteRangeDigest) => timeStamper.timestamp(byteRangeDigest, options.digest ?? 'SHA-256'),
  });
  return signed.bytes;
}
