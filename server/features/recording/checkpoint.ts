// A recording checkpoint as documents carry it: the head of the session's segment hash chain at a
// moment, how many segments it covers and the offset from the start of the recording. Written both
// as printed text and, machine-readably, in the PDF's Info dictionary (covered by every signature).
import { PDFDocument, PDFName, PDFString, PDFHexString, PDFDict } from 'pdf-lib';
import { z } from 'zod';

export const checkpointSchema = z.object({
  sessionId: z.string().min(1),
  /** Hex SHA-256 chain head h_n (h_0, the session's genesis, before the first segment). */
  head: z.string().regex(/^[0-9a-f]{64}$/),
  segmentCount: z.number().int().min(0),
  offsetMs: z.number().int().min(0),
  at: z.string(),
});
export type RecordingCheckpoint = z.infer<typeof checkpointSchema>;

export const CHECKPOINT_INFO_KEY = 'TongbanRecordingCheckpoint';

export function setCheckpointInfo(doc: PDFDocument, checkpoint: RecordingCheckpoint): void {
  const info = doc.context.lookup(doc.context.trailerInfo.Info, PDFDict);
  info.set(PDFName.of(CHECKPOINT_INFO_KEY), PDFString.of(JSON.stringify(checkpoint)));
}

/** The checkpoint an identity PDF carries, or undefined when it has none or it is malformed. */
export async function readCheckpointInfo(pdf: Uint8Array): Promise<RecordingCheckpoint | undefined> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: false });
  const info = doc.context.lookupMaybe(doc.context.trailerInfo.Info, PDFDict);
  const value = info?.get(PDFName.of(CHECKPOINT_INFO_KEY));
  if (!(value instanceof PDFString) && !(value instanceof PDFHexString)) return undefined;
  try {
    const parsed = checkpointSchema.safeParse(JSON.parse(value.decodeText()));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
