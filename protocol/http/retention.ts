// The retention console (admins; auditors read): retention per matter and per ceremony kind, the
// records under legal hold, the preview of what the retention sweep destroys and running it now;
// and the long-term validation renewals of a record's PDFs.
import { z } from 'zod';
import { idParams, route, slugParams } from '../common.js';
import { recordRow } from './records.js';

/** Ceremony records are kept by the kind of their ceremony; every ceremony signs an agreement today. */
export const ceremonyKinds = ['agreement'] as const;
export const ceremonyKind = z.enum(ceremonyKinds);
export type CeremonyKind = z.infer<typeof ceremonyKind>;

/** 1 day to 100 years. */
export const retentionDays = z.number().int().min(1).max(36_500);
export const retentionBody = z.object({ retentionDays }).strict();

export const retentionSettings = z.object({
  matters: z.array(z.object({ id: z.string(), name: z.string(), nameEn: z.string(), retentionDays: z.number() })),
  ceremonyKinds: z.array(
    z.object({
      kind: ceremonyKind,
      retentionDays: z.number(),
      updatedAt: z.string().nullable(),
      updatedBy: z.string().nullable(),
    }),
  ),
  /** The records under legal hold, with who set it, when and why. */
  holds: z.array(recordRow),
  /** How often the retention sweep runs on its own. */
  sweepIntervalMs: z.number(),
});
export type RetentionSettings = z.infer<typeof retentionSettings>;

/** A record the sweep would delete now, and what would be destroyed with it. */
export const doomedRecord = z.object({
  record: recordRow.pick({ id: true, kind: true, number: true, title: true, archivedAt: true, retainUntil: true }),
  /** Blobs only this record references: PDF revisions, snapshots, evidence packages. */
  blobs: z.number().int(),
  blobBytes: z.number().int(),
  recordingFiles: z.number().int(),
  recordingBytes: z.number().int(),
});
export const deletionPreview = z.object({
  at: z.string(),
  records: z.array(doomedRecord),
  totals: doomedRecord.omit({ record: true }).extend({ records: z.number().int() }),
});
export type DeletionPreview = z.infer<typeof deletionPreview>;

export const deletionRun = z.object({
  deleted: z.array(z.string()),
  blobs: z.number().int(),
  recordingFiles: z.number().int(),
});
export type DeletionRun = z.infer<typeof deletionRun>;

export const ltvRenewal = z.object({
  id: z.string(),
  documentId: z.string(),
  previousSha256: z.string(),
  sha256: z.string(),
  at: z.string(),
  reason: z.enum(['tsa_certificate_expiring', 'algorithm_weakening']),
  /** The TSA that issued the new document timestamp, its time and hash. */
  tsa: z.string(),
  timestampTime: z.string(),
  digest: z.string(),
});
export type LtvRenewal = z.infer<typeof ltvRenewal>;

export const getRetention = route({ method: 'get', path: '/api/retention', response: retentionSettings });
export const setMatterRetention = route({
  method: 'put',
  path: '/api/retention/matters/:id',
  params: slugParams,
  body: retentionBody,
  response: retentionSettings,
});
export const setCeremonyRetention = route({
  method: 'put',
  path: '/api/retention/ceremony-kinds/:kind',
  params: z.object({ kind: ceremonyKind }).strict(),
  body: retentionBody,
  response: retentionSettings,
});
export const previewDeletion = route({ method: 'get', path: '/api/retention/preview', response: deletionPreview });
export const runDeletion = route({ method: 'post', path: '/api/retention/run', response: deletionRun });
export const listLtvRenewals = route({
  method: 'get',
  path: '/api/records/:id/ltv-renewals',
  params: idParams,
  response: z.object({ renewals: z.array(ltvRenewal) }),
});
