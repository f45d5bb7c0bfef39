// Flow documents (身份核验确认书, agreements): the current PDF, its signing progress, its
// verification report, and ordered signing.
import { z } from 'zod';
import { idParams, route, signingPin } from '../common.js';

export const documentKinds = ['identity', 'agreement'] as const;
export const documentStatuses = ['signing', 'signed', 'aborted'] as const;
export const signerRoles = ['applicant', 'witness', 'confirmer', 'official'] as const;

export const documentSigner = z.object({
  position: z.number().int(),
  role: z.enum(signerRoles),
  name: z.string(),
  siteId: z.string().nullable(),
  signedAt: z.string().nullable(),
});
export type DocumentSigner = z.infer<typeof documentSigner>;

/** Who signed, who is next: the answer of a signature and part of every document view. */
export const signingProgress = z.object({
  status: z.enum(documentStatuses),
  signatures: z.array(documentSigner),
  next: documentSigner.nullable(),
});
export type SigningProgress = z.infer<typeof signingProgress>;

export const documentStatus = signingProgress.extend({
  id: z.string(),
  kind: z.enum(documentKinds),
  title: z.string(),
  sha256: z.string(),
});
export type DocumentStatus = z.infer<typeof documentStatus>;

/** One signature's verification (DESIGN §9 JSON plus `problems` for people). */
export const signatureReport = z.object({
  field: z.string(),
  /** The signer's certificate (the TSA's for a document timestamp); null when it is missing. */
  signer: z.object({ name: z.string(), serial: z.string(), issuer: z.string() }).nullable(),
  intact: z.boolean(),
  trusted: z.boolean(),
  revoked: z.boolean(),
  level: z.enum(['B-B', 'B-T', 'B-LT', 'B-LTA', 'document-timestamp', 'none']),
  timestamp: z.object({ time: z.string(), valid: z.boolean() }).nullable(),
  coversWholeDocument: z.boolean(),
  modifiedAfter: z.boolean(),
  problems: z.array(z.string()),
});
export type SignatureReport = z.infer<typeof signatureReport>;

export const verificationReport = z.object({ valid: z.boolean(), signatures: z.array(signatureReport) });
export type VerificationReport = z.infer<typeof verificationReport>;

/** Staff sign with their PIN; the applicant (guest) with a handwriting PNG data URL. */
export const signDocumentBody = z
  .object({
    pin: signingPin.optional(),
    handwriting: z.string().max(230_000).optional(),
  })
  .strict();
export type SignDocumentBody = z.infer<typeof signDocumentBody>;

export const getDocumentPdf = route({
  method: 'get',
  path: '/api/documents/:id',
  params: idParams,
  produces: 'application/pdf',
});
export const getDocumentStatus = route({
  method: 'get',
  path: '/api/documents/:id/status',
  params: idParams,
  response: documentStatus,
});
export const getDocumentVerification = route({
  method: 'get',
  path: '/api/documents/:id/verification',
  params: idParams,
  response: verificationReport,
});
export const signDocument = route({
  method: 'post',
  path: '/api/documents/:id/sign',
  params: idParams,
  body: signDocumentBody,
  response: signingProgress,
});
