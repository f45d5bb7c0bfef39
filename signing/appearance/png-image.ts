// Embeds a PNG (seal or handwriting) as an image XObject, with its alpha channel as /SMask.
// Supports 8-bit, non-interlaced greyscale, RGB, palette, grey+alpha and RGBA images.
import { deflateSync, inflateSync } from 'node:zlib';
import { SigningError } from '../errors.js';
import type { IncrementalUpdate } from '../pdf/IncrementalUpdate.js';
import { dict, name, PdfStream, PdfString, type PdfRef } from '../pdf/objects.js';
import { unpredict } from '../pdf/stream-data.js';

export interface EmbeddedImage {
  readonly ref: PdfRef;
  readonly width: number;
  readonly height: number;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MAX_PIXELS = 4096 * 4096;

function bad(why: string): never {
  throw new SigningError('bad_image', `the appearance image is not a usable PNG: ${why}`);
}

export function embedPng(update: IncrementalUpdate, png: Uint8Array): EmbeddedImage {
  const b = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (b.length < 33 || !b.subarray(0, 8).equals(SIGNATURE)) bad('no PNG signature');
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  let palette: Buffer | undefined;
  let trns: Buffer | undefined;
  const idat: Buffer[] = [];
  while (pos + 8 <= b.length) {
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    const data = b.subarray(pos + 8, pos + 8 + len);
    if (data.length !== len) bad('truncated chunk');
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8) bad('only 8-bit images are supported');
      colorType = data[9]!;
      if (data[12] !== 0) bad('interlaced images are not supported');
    } else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') trns = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  if (!width || !height || width * height > MAX_PIXELS) bad('bad dimensions');
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!channels) bad('unknown colour type');
  let pixels: Uint8Array;
  try {
    pixels = unpredict(
      inflateSync(Buffer.concat(idat)),
      new Map<string, number>([
        ['Predictor', 15],
        ['Colors', channels],
        ['BitsPerComponent', 8],
        ['Columns', width],
      ]),
    );
  } catch {
    bad('corrupt image data');
  }
  if (pixels.length < width * height * channels) bad('truncated image data');

  const n = width * height;
  const hasAlpha = colorType === 4 || colorType === 6 || (colorType === 3 && !!trns);
  const colorChannels = colorType === 0 || colorType === 4 ? 1 : 3;
  const color = Buffer.alloc(colorType === 3 ? 0 : n * colorChannels);
  const alpha = Buffer.alloc(hasAlpha ? n : 0);
  if (colorType === 3) {
    if (!palette) bad('palette missing');
    for (let i = 0; i < n; i++) {
      const idx = pixels[i]!;
      if (hasAlpha) alpha[i] = idx < trns!.length ? trns![idx]! : 255;
    }
  } else {
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < colorChannels; c++) color[i * colorChannels + c] = pixels[i * channels + c]!;
      if (hasAlpha) alpha[i] = pixels[i * channels + colorChannels]!;
    }
  }
  const base = {
    Type: name('XObject'),
    Subtype: name('Image'),
    Width: width,
    Height: height,
    BitsPerComponent: 8,
    Filter: name('FlateDecode'),
  };
  const smask = hasAlpha
    ? update.add(new PdfStream(dict({ ...base, ColorSpace: name('DeviceGray') }), deflateSync(alpha)))
    : undefined;
  const colorSpace =
    colorType === 3
      ? [name('Indexed'), name('DeviceRGB'), palette!.length / 3 - 1, new PdfString(palette!, true)]
      : name(colorChannels === 1 ? 'DeviceGray' : 'DeviceRGB');
  const data = colorType === 3 ? Buffer.from(pixels.subarray(0, n)) : color;
  const ref = update.add(new PdfStream(dict({ ...base, ColorSpace: colorSpace, SMask: smask }), deflateSync(data)));
  return { ref, width, height };
}
