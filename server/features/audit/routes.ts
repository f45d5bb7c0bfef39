// The audit trail for auditors and admins: search, and verification of the whole chain.
import { verifyAuditLog } from '../../kernel/audit/verify-audit.js';
import type { RouteModule } from '../../http/RouteModule.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { CheckpointSealer } from '../../kernel/audit/AuditCheckpointer.js';
import type { Database } from '../../kernel/store/Database.js';
import { listAudit, verifyAudit } from '../../../protocol/http/audit.js';

export interface AuditRoutesDeps {
  readonly db: Database;
  readonly audit: AuditLog;
  readonly auditSealer: CheckpointSealer;
}

export function auditRoutes(deps: AuditRoutesDeps): RouteModule {
  return {
    name: 'audit',
    register(api) {
      api.route({
        ...listAudit,
        summary: 'Search the audit log (oldest first)',
        tag: 'audit',
        access: 'audit.read',
        handler: ({ query }) => deps.audit.list(query),
      });

      api.route({
        ...verifyAudit,
        summary: 'Walk the hash chain and the sealed checkpoints; names the first bad entry',
        tag: 'audit',
        access: 'audit.read',
        handler: () => verifyAuditLog(deps.db, deps.auditSealer),
      });
    },
  };
}
