// Options of the PDF signing API, checked once at the boundary.
import { z } from 'zod';
import type { Signer, TimeStamper } from '../../certs/types.js';
import { SigningError } from '../errors.js';

export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';
export const PADES_LEVELS: readonly PadesLevel[] = ['B-B', 'B-T', 'B-LT', 'B-LTA'];

export interface AppearanceText {
  readonly name: string;
  readonly role?: string;
  readonly site?: string;
  /** Shown as given (the caller formats the time for its audience). */
  readonly time?: string;
  readonly reason?: string;
}

export interface SignatureAppearance {
  /** 1-based page number. */
  readonly page: number;
  /** [x, y, width, height] in PDF points from the lower-left corner of the page. */
  readonly rect: readonly [number, number, number, number];
  readonly texts: AppearanceText;
  /** Bytes of an OpenType/TrueType font or collection with CJK glyphs (e.g. Noto Sans CJK). */
  readonly font: Uint8Array;
  /** PostScript name of the face to use inside a collection (default: the Simplified Chinese one). */
  readonly fontName?: string;
  /** PNG of a seal or a handwritten signature, drawn on the left of the box. */
  readonly image?: Uint8Array;
}

export interface ValidationMaterial {
  readonly certificates: readonly Uint8Array[];
  readonly crls: readonly Uint8Array[];
}

export interface SignPdfOptions {
  readonly signer: Signer;
  /** Needed for B-T and above. */
  readonly timeStamper?: TimeStamper;
  readonly level: PadesLevel;
  readonly reason?: string;
  readonly location?: string;
  readonly contactInfo?: string;
  readonly name?: string;
  /** Claimed signing time, written to /M (there is no signingTime attribute). */
  readonly signingTime: Date;
  /** Field name; default "SignatureN". */
  readonly field?: string;
  /** Visible appearance; invisible when undefined. */
  readonly appearance?: SignatureAppearance;
  /** DocMDP P=2 certification; first signature only. */
  readonly certify?: boolean;
  /** Certificates and CRLs for the DSS (B-LT and B-LTA). */
  readonly validation?: ValidationMaterial;
  /** Refuse larger inputs (PdfError 'too_large'). */
  readonly maxBytes?: number;
}

const bytes = z.instanceof(Uint8Array);
const text = z.string().max(500);
const schema = z.object({
  level: z.enum(['B-B', 'B-T', 'B-LT', 'B-LTA']),
  reason: text.optional(),
  location: text.optional(),
  contactInfo: text.optional(),
  name: text.optional(),
  signingTime: z.date().refine((d) => !Number.isNaN(d.getTime()), 'invalid date'),
  field: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[^.]+$/, 'no dots in a field name')
    .optional(),
  certify: z.boolean().optional(),
  maxBytes: z.number().int().positive().optional(),
  appearance: z
    .object({
      page: z.number().int().min(1),
      rect: z.tuple([
        z.number().finite(),
        z.number().finite(),
        z.number().positive().max(14400),
        z.number().positive().max(14400),
      ]),
      texts: z.object({
        name: text,
        role: text.optional(),
        site: text.optional(),
        time: text.optional(),
        reason: text.optional(),
      }),
      font: bytes,
      fontName: z.string().max(100).optional(),
      image: bytes.optional(),
    })
    .optional(),
  validation: z.object({ certificates: z.array(bytes), crls: z.array(bytes) }).optional(),
});

export function checkSignOptions(o: SignPdfOptions): void {
  const r = schema.safeParse(o);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new SigningError('invalid_options', `invalid signing option ${issue.path.join('.')}: ${issue.message}`);
  }
  if (o.level !== 'B-B' && !o.timeStamper)
    throw new SigningError('invalid_options', `level ${o.level} needs a time-stamping authority`);
}
