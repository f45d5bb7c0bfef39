// Evidence exports over socket.io: each user's sockets are in the user's room and get the progress
// of the exports that user started.
import type { Server } from 'socket.io';
import type { SocketModule } from '../../realtime/RealtimeServer.js';
import { userRoom, type CeremonyServerToClientEvents } from '../../realtime/ceremony-protocol.js';
import type { EvidenceExporter, EvidenceJob } from './EvidenceExporter.js';

export function evidenceSockets(deps: { readonly evidence: EvidenceExporter }): SocketModule {
  return {
    name: 'evidence',
    attach(realtime) {
      const io = realtime.io as unknown as Server<Record<string, never>, CeremonyServerToClientEvents>;
      realtime.onConnection((socket) => {
        const principal = socket.data.principal;
        if (principal.kind === 'user') void socket.join(userRoom(principal.userId));
      });
      const onProgress = ({ requestedBy, ...job }: EvidenceJob & { requestedBy: string }) => {
        if (requestedBy.startsWith('user:')) io.to(userRoom(requestedBy.slice(5))).emit('evidence:progress', job);
      };
      deps.evidence.on('progress', onProgress);
      return () => deps.evidence.off('progress', onProgress);
    },
  };
}
