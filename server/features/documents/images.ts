// Image inputs (snapshots, handwriting) are checked by their magic bytes, not by what the client
// claims, and bounded in size.
import { BadRequestError, PayloadTooLargeError } from '../../kernel/errors.js';

export type ImageType = 'image/png' | 'image/jpeg';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

export function sniffImage(bytes: Uint8Array): ImageType | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.subarray(0, 8).equals(PNG)) return 'image/png';
  if (b.subarray(0, 3).equals(JPEG)) return 'image/jpeg';
  return undefined;
}

export function requireImage(bytes: Uint8Array, maxBytes: number, allowed: readonly ImageType[]): ImageType {
  if (bytes.byteLength > maxBytes) throw new PayloadTooLargeError(`image larger than ${maxBytes} bytes`);
  const type = sniffImage(bytes);
  if (!type || !allowed.includes(type)) {
    throw new BadRequestError(
      `expected ${allowed.map((t) => t.slice(6).toUpperCase()).join(' or ')} image data`,
      'bad_image',
    );
  }
  return type;
}

/** `data:image/png;base64,…` → PNG bytes (bounded). */
export function pngFromDataUrl(dataUrl: string, maxBytes: number): Uint8Array {
  const m = /^data:image\/png;base64,([A-Za-z0-9+/=\s]+)$/.exec(dataUrl);
  if (!m) throw new BadRequestError('handwriting must be a PNG data URL', 'bad_image');
  if ((m[1]!.length * 3) / 4 > maxBytes + 3)
    throw new PayloadTooLargeError(`handwriting image larger than ${maxBytes} bytes`);
  const bytes = new Uint8Array(Buffer.from(m[1]!, 'base64'));
  requireImage(bytes, maxBytes, ['image/png']);
  return bytes;
}
