// Cases: opened by the originating clerk, accepted or rejected by the handling site, cancelled by
// the originating site; invitations bring the applicant into the case's session.
import { z } from 'zod';
import { caseStatus, idParams, paging, ref, route, slug } from '../common.js';

export const caseSummary = z.object({
  id: z.string().uuid(),
  number: z.string(),
  status: caseStatus,
  matter: ref,
  originatingSite: ref,
  handlingSite: ref,
  partnershipId: z.string(),
  applicant: z.object({ name: z.string(), idMasked: z.string(), phoneMasked: z.string().nullable() }),
  createdBy: z.string(),
  acceptedBy: z.string().nullable(),
  sessionId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CaseSummary = z.infer<typeof caseSummary>;

export const caseEvent = z.object({
  at: z.string(),
  actor: z.string(),
  from: caseStatus.nullable(),
  to: caseStatus,
  note: z.string().nullable(),
});
export type CaseEvent = z.infer<typeof caseEvent>;

export const caseDetail = caseSummary.extend({ history: z.array(caseEvent) });
export type CaseDetail = z.infer<typeof caseDetail>;

export const newCaseBody = z
  .object({
    matterId: slug,
    handlingSite: slug,
    applicant: z
      .object({
        name: z.string().trim().min(1).max(64),
        idNumber: z
          .string()
          .trim()
          .regex(/^\d{17}[\dXx]$/, 'expected an 18-character resident ID number'),
        phone: z
          .string()
          .regex(/^\+?[\d\s-]{6,20}$/, 'expected a phone number')
          .optional(),
      })
      .strict(),
  })
  .strict();
export type NewCaseBody = z.input<typeof newCaseBody>;

export const createdCase = z.object({ id: z.string().uuid(), number: z.string(), status: caseStatus });
export type CreatedCase = z.infer<typeof createdCase>;

export const caseListQuery = z.object({ status: caseStatus.optional(), site: slug.optional(), ...paging }).strict();
export const caseList = z.object({ cases: z.array(caseSummary), total: z.number().int() });
export type CaseList = z.infer<typeof caseList>;

export const acceptedCase = z.object({ sessionId: z.string().uuid(), status: caseStatus });
export type AcceptedCase = z.infer<typeof acceptedCase>;

/** Reject and cancel: an optional reason (the whole body may be absent). */
export const reasonBody = z
  .object({ reason: z.string().trim().min(1).max(500).optional() })
  .strict()
  .optional();
export const caseStatusChange = z.object({ id: z.string(), status: caseStatus });
export type CaseStatusChange = z.infer<typeof caseStatusChange>;

export const invitation = z.object({
  code: z.string(),
  url: z.string().url(),
  sessionId: z.string(),
  expiresAt: z.string(),
});
export type Invitation = z.infer<typeof invitation>;

export const createCase = route({
  method: 'post',
  path: '/api/cases',
  body: newCaseBody,
  response: createdCase,
  status: 201,
});
export const listCases = route({ method: 'get', path: '/api/cases', query: caseListQuery, response: caseList });
export const getCase = route({ method: 'get', path: '/api/cases/:id', params: idParams, response: caseDetail });
export const acceptCase = route({
  method: 'post',
  path: '/api/cases/:id/accept',
  params: idParams,
  response: acceptedCase,
});
export const rejectCase = route({
  method: 'post',
  path: '/api/cases/:id/reject',
  params: idParams,
  body: reasonBody,
  response: caseStatusChange,
});
export const cancelCase = route({
  method: 'post',
  path: '/api/cases/:id/cancel',
  params: idParams,
  body: reasonBody,
  response: caseStatusChange,
});
export const createInvitation = route({
  method: 'post',
  path: '/api/cases/:id/invitations',
  params: idParams,
  response: invitation,
  status: 201,
});
