// The audit trail for auditors and admins: search, and verification of the whole chain.
import { z } from 'zod';
import { verifyAuditLog } from '../../kernel/audit/verify-audit.js';
import type { RouteModule } from '../../http/RouteModule.js';
import { paging } from '../../http/schemas.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { CheckpointSealer } from '../../kernel/audit/AuditCheckpointer.js';
import type { Database } from '../../kernel/store/Database.js';

export interface AuditRoutesDeps {
  readonly db: Database;
  readonly audit: AuditLog;
  readonly auditSealer: CheckpointSealer;
}

const entrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  siteId: z.string().nullable(),
  details: z.record(z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});

const text = z.string().min(1).max(200);

export function auditRoutes(deps: AuditRoutesDeps): RouteModule {
  return {
  name: 'audit',
  register(api) {
    api.route({
      method: 'get',
      path: '/api/audit',
      summary: 'Search the audit log (oldest first)',
      tag: 'audit',
      access: 'audit.read',
      query: z
        .object({ actor: text.optional(), action: text.optional(), target: text.optional(), from: z.string().datetime().optional(), to: z.string().datetime().optional(), ...paging })
        .strict(),
      response: z.object({ entries: z.array(entrySchema), total: z.number().int() }),
      handler: ({ query }) => deps.audit.list(query),
    });

    api.route({
      method: 'get',
      path: '/api/audit/verification',
      summary: 'Walk the hash chain and the sealed checkpoints; names the first bad entry',
      tag: 'audit',
      access: 'audit.read',
      response: z.object({
        valid: z.boolean(),
        entries: z.number().int(),
        head: z.object({ id: z.number(), hash: z.string() }).nullable(),
        checkpoints: z.object({ count: z.number().int(), sealsVerified: z.number().int() }),
        firstProblem: z.object({ kind: z.enum(['entry', 'checkpoint']), id: z.number(), problem: z.string() }).nullable(),
      }),
      handler: () => verifyAuditLog(deps.db, deps.auditSealer),
    });
  },
};
}
