// ID card reading (issue 15 §2): the server OCRs an ID snapshot it took from the applicant's video,
// checks what it read, and shows the clerk the result as advice.
import { z } from 'zod';
import { idParams, route } from '../common.js';
import { snapshotParams } from './identity.js';

export const readField = z.object({ value: z.string(), confidence: z.number() });
export type ReadField = z.infer<typeof readField>;

/** What was read; the ID number only masked (`3302**********1231`). */
export const idCardFields = z.object({
  name: readField.optional(),
  sex: readField.optional(),
  ethnicity: readField.optional(),
  birth: readField.optional(),
  address: readField.optional(),
  idNumber: readField.optional(),
  authority: readField.optional(),
  validFrom: readField.optional(),
  validTo: readField.optional(),
});
export type IdCardFields = z.infer<typeof idCardFields>;

export const idCheckKeys = [
  'checksum',
  'matchesApplicant',
  'nameMatches',
  'birthMatches',
  'sexMatches',
  'validity',
] as const;
export const idCheckKey = z.enum(idCheckKeys);
export type IdCheckKey = z.infer<typeof idCheckKey>;
/** pass / fail, or unread when the field it needs was not read. */
export const idCheckStatus = z.enum(['pass', 'fail', 'unread']);
export type IdCheckStatus = z.infer<typeof idCheckStatus>;
export const validityState = z.enum(['valid', 'long_term', 'expired', 'not_yet_valid', 'unread']);
export type ValidityState = z.infer<typeof validityState>;

export const idChecks = z.object({
  checksum: idCheckStatus,
  matchesApplicant: idCheckStatus,
  nameMatches: idCheckStatus,
  birthMatches: idCheckStatus,
  sexMatches: idCheckStatus,
  validity: idCheckStatus,
  validityState,
});
export type IdChecks = z.infer<typeof idChecks>;

export const idRead = z.object({
  id: z.string().uuid(),
  snapshotId: z.string().uuid(),
  side: z.enum(['front', 'back', 'unknown']),
  fields: idCardFields,
  /** The checks this side allows (the others unread). */
  checks: idChecks,
  engine: z.string(),
  elapsedMs: z.number().int(),
  chainIndex: z.number().int().nullable(),
  chainHash: z.string().nullable(),
  readAt: z.string(),
});
export type IdRead = z.infer<typeof idRead>;

/** The case's ID check: the latest front and back reads merged; advice for the clerk, never a decision. */
export const idCheck = z.object({
  front: idRead.nullable(),
  back: idRead.nullable(),
  fields: idCardFields,
  checks: idChecks,
  /** Every check passed on both sides. */
  allPassed: z.boolean(),
});
export type IdCheck = z.infer<typeof idCheck>;

export const readIdSnapshot = route({
  method: 'post',
  path: '/api/cases/:id/snapshots/:snapshotId/id-read',
  params: snapshotParams,
  response: idRead,
  status: 201,
});
export const getIdCheck = route({
  method: 'get',
  path: '/api/cases/:id/id-check',
  params: idParams,
  response: idCheck,
});
