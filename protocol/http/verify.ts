// Public verification (issue 16 §1): anyone, without login, checks a signed PDF or an evidence zip,
// or asks whether the platform holds a document with a given hash (the QR on every 确认书 and
// agreement). The hash answer says nothing personal: held or not, kind, state, signature count,
// archived date.
import { z } from 'zod';
import { route } from '../common.js';
import { verificationReport, documentKinds } from './documents.js';
import { recordingCheckpoint } from './records.js';

/** Hex digits of the hash in the printed short URL (the QR carries all 64). */
export const VERIFY_SHORT_REF_LENGTH = 16;

/** The browser page a QR or short URL opens: `/v/<hash or its first 16+ hex digits>`. */
export const verifyPagePath = (ref: string) => `/v/${ref}`;

export const hashRefParams = z
  .object({
    ref: z
      .string()
      .regex(new RegExp(`^[0-9a-fA-F]{${VERIFY_SHORT_REF_LENGTH},64}$`), 'hex SHA-256 or its first 16+ digits'),
  })
  .strict();

/** Which revision of a held document the hash names. */
export const heldRevisions = ['unstamped', 'base', 'signed', 'current'] as const;
export const recordStates = ['signing', 'signed', 'aborted', 'archived', 'legal_hold', 'deleted'] as const;

export const hashLookup = z.object({
  held: z.boolean(),
  /** Present only when held. */
  document: z
    .object({
      kind: z.enum(documentKinds),
      /** Which revision matched: before the QR stamp, the base the signers sign, after a signature, the latest. */
      revision: z.enum(heldRevisions),
      state: z.enum(recordStates),
      signatures: z.number().int(),
      archivedAt: z.string().nullable(),
    })
    .nullable(),
});
export type HashLookup = z.infer<typeof hashLookup>;

export const pdfVerification = z.object({
  type: z.literal('pdf'),
  sha256: z.string(),
  report: verificationReport,
  /** The recording checkpoint the PDF carries (identity documents). */
  checkpoint: recordingCheckpoint.nullable(),
  /** Whether the platform holds this PDF or one of its earlier revisions. */
  record: hashLookup,
});

export const zipVerification = z.object({
  type: z.literal('zip'),
  sha256: z.string(),
  valid: z.boolean(),
  checked: z.array(z.string()),
  problems: z.array(z.object({ file: z.string(), message: z.string() })),
  /** What the package says it holds, once its seal and hashes were checked. */
  manifest: z
    .object({
      recordNumber: z.string(),
      kind: z.enum(['case', 'ceremony']),
      archivedAt: z.string(),
      documents: z.number().int(),
      recording: z.boolean(),
    })
    .nullable(),
});

export const uploadVerification = z.discriminatedUnion('type', [pdfVerification, zipVerification]);
export type UploadVerification = z.infer<typeof uploadVerification>;

export const verifyUpload = route({
  method: 'post',
  path: '/api/verify',
  auth: 'none',
  multipart: { file: 'file', fields: z.object({}).strict() },
  response: uploadVerification,
});

export const lookupHash = route({
  method: 'get',
  path: '/api/verify/hash/:ref',
  auth: 'none',
  params: hashRefParams,
  response: hashLookup,
});
