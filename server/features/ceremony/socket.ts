// Ceremony state over socket.io: participants join the ceremony's room and get its state after
// every change (page turned by the host, whose turn, each signature as it lands, abort).
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import { authorize } from '../../kernel/policy.js';
import type { SocketModule, TongbanSocket } from '../../realtime/RealtimeServer.js';
import { ceremonyRoom } from '../../../protocol/socket.js';
import type { DocumentSigning, SignOutcome } from '../documents/index.js';
import type { SessionService } from '../sessions/index.js';
import type { CeremonyService, CeremonyState } from './CeremonyService.js';

export interface CeremonySocketDeps {
  readonly ceremonies: CeremonyService;
  readonly signing: DocumentSigning;
  readonly sessions: SessionService;
  readonly audit: AuditLog;
}

export function ceremonySockets(deps: CeremonySocketDeps): SocketModule {
  return {
    name: 'ceremony',
    attach(realtime) {
      const { io } = realtime;
      const onState = (state: CeremonyState) => io.to(ceremonyRoom(state.id)).emit('ceremony:state', state);
      const onSigned = ({ document, signer }: SignOutcome) => {
        if (!document.ceremonyId || !signer.signedAt || !signer.signedSha256) return;
        io.to(ceremonyRoom(document.ceremonyId)).emit('ceremony:signed', {
          ceremonyId: document.ceremonyId,
          position: signer.position,
          name: signer.displayName,
          signedAt: signer.signedAt,
          sha256: signer.signedSha256,
        });
      };
      deps.ceremonies.on('state', onState);
      deps.signing.on('signed', onSigned);

      const canRead = async (socket: TongbanSocket, ceremonyId: string) => {
        const state = await deps.ceremonies.state(ceremonyId);
        const principal = socket.data.principal;
        authorize(principal, 'ceremony.read', {
          participant: deps.sessions.isParticipant(principal, await deps.sessions.get(state.sessionId)),
        });
        return state;
      };

      realtime.onConnection((socket) => {
        realtime.handle(socket, 'ceremony:join', async ({ ceremonyId }) => {
          const state = await canRead(socket, ceremonyId);
          await socket.join(ceremonyRoom(ceremonyId));
          const read = {
            object: `ceremony:${ceremonyId}`,
            what: 'ceremony state (signer names)',
            via: 'socket',
          } as const;
          await deps.audit.read(socket.data.principal, read);
          return state;
        });
        realtime.handle(socket, 'ceremony:leave', async ({ ceremonyId }) => {
          await socket.leave(ceremonyRoom(ceremonyId));
          return { left: true as const };
        });
        realtime.handle(socket, 'ceremony:page', async ({ ceremonyId, page }) => {
          await canRead(socket, ceremonyId);
          return deps.ceremonies.setPage(socket.data.principal, ceremonyId, page);
        });
      });

      return () => {
        deps.ceremonies.off('state', onState);
        deps.signing.off('signed', onSigned);
      };
    },
  };
}
