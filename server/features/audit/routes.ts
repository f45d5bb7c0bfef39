// The audit trail for auditors and admins: search, and verification of the whole chain.
import type { AuditVerification } from '../../kernel/audit/verify-audit.js';
import type { RouteModule } from '../../http/RouteModule.js';
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import { listAudit, verifyAudit } from '../../../protocol/http/audit.js';

export interface AuditRoutesDeps {
  readonly audit: AuditLog;
  verifyAudit(): Promise<AuditVerification>;
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
        summary: 'Walk the hash chain, the chained checkpoints and the external anchor; names the first problem',
        tag: 'audit',
        access: 'audit.read',
        handler: () => deps.verifyAudit(),
      });
    },
  };
}
