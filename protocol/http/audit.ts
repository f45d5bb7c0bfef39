// The audit trail for auditors and admins: search, and verification of the whole chain.
import { z } from 'zod';
import { paging, route } from '../common.js';

export const auditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  siteId: z.string().nullable(),
  /** Free-form JSON the action records (never secrets). */
  details: z.record(z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

const text = z.string().min(1).max(200);
export const auditQuery = z
  .object({
    actor: text.optional(),
    action: text.optional(),
    target: text.optional(),
    from: z.string().datetime().optional(),
    to: z.string().datetime().optional(),
    ...paging,
  })
  .strict();
export const auditList = z.object({ entries: z.array(auditEntry), total: z.number().int() });
export type AuditList = z.infer<typeof auditList>;

export const auditVerification = z.object({
  valid: z.boolean(),
  entries: z.number().int(),
  head: z.object({ id: z.number(), hash: z.string() }).nullable(),
  checkpoints: z.object({ count: z.number().int(), sealsVerified: z.number().int() }),
  /** The append-only anchor outside the database that the checkpoints were compared with. */
  anchor: z.object({ location: z.string(), heads: z.number().int() }).nullable(),
  firstProblem: z
    .object({ kind: z.enum(['entry', 'checkpoint', 'anchor', 'log']), id: z.number(), problem: z.string() })
    .nullable(),
});
export type AuditVerification = z.infer<typeof auditVerification>;

export const listAudit = route({ method: 'get', path: '/api/audit', query: auditQuery, response: auditList });
export const verifyAudit = route({ method: 'get', path: '/api/audit/verification', response: auditVerification });
