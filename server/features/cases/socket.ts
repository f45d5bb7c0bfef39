// Cases over socket.io: every clerk socket joins its site's room and gets `case:updated` for the
// cases of its site (handling or originating); `queue:list` answers the site's cases.
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import { authorize, can } from '../../kernel/policy.js';
import type { SocketModule } from '../../realtime/RealtimeServer.js';
import { siteRoom } from '../../../protocol/socket.js';
import type { CaseService } from './CaseService.js';

export function caseSockets(deps: { readonly cases: CaseService; readonly audit: AuditLog }): SocketModule {
  return {
    name: 'cases',
    attach(realtime) {
      realtime.onConnection((socket) => {
        const principal = socket.data.principal;
        if (
          principal.kind === 'user' &&
          principal.siteId &&
          can(principal, 'case.list', { siteId: principal.siteId })
        ) {
          void socket.join(siteRoom(principal.siteId));
        }
        realtime.handle(socket, 'queue:list', async (payload) => {
          const site = principal.kind === 'user' ? (principal.siteId ?? undefined) : undefined;
          authorize(principal, 'case.list', { siteId: site });
          const { cases } = await deps.cases.list({ status: payload.status, site, limit: 200, offset: 0 });
          await deps.audit.read(principal, { object: 'cases', what: 'case list (applicant names)', via: 'socket' });
          return { cases };
        });
      });
      return deps.cases.onChange((summary) => {
        realtime.io
          .to(siteRoom(summary.handlingSite.id))
          .to(siteRoom(summary.originatingSite.id))
          .emit('case:updated', summary);
      });
    },
  };
}
