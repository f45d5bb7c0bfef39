// Ceremony state over socket.io: participants join the ceremony's room and get its state after
// every change (page turned by the host, whose turn, each signature as it lands, abort); users get
// the progress of their evidence exports.
import type { Server } from 'socket.io';
import { authorize } from '../../kernel/policy.js';
import type { AppContext } from '../../app/context.js';
import { FlowServices } from '../../app/FlowServices.js';
import type { RealtimeServer, TongbanSocket } from '../../realtime/RealtimeServer.js';
import { ceremonyRequests, ceremonyRoom, userRoom, type CeremonyServerToClientEvents } from '../../realtime/ceremony-protocol.js';

export function attachCeremonyEvents(realtime: RealtimeServer, ctx: AppContext): () => void {
  const flows = FlowServices.for(ctx);
  const io = realtime.io as unknown as Server<Record<string, never>, CeremonyServerToClientEvents>;

  const onState = (state: Parameters<CeremonyServerToClientEvents['ceremony:state']>[0]) => io.to(ceremonyRoom(state.id)).emit('ceremony:state', state);
  const onSigned = (outcome: Parameters<Parameters<typeof flows.signing.on<'signed'>>[1]>[0]) => {
    const { document, signer } = outcome;
    if (!document.ceremonyId || !signer.signedAt || !signer.signedSha256) return;
    io.to(ceremonyRoom(document.ceremonyId)).emit('ceremony:signed', {
      ceremonyId: document.ceremonyId,
      position: signer.position,
      name: signer.displayName,
      signedAt: signer.signedAt,
      sha256: signer.signedSha256,
    });
  };
  const onProgress = (job: Parameters<Parameters<typeof flows.evidence.on<'progress'>>[1]>[0]) => {
    const { requestedBy, ...rest } = job;
    if (requestedBy.startsWith('user:')) io.to(userRoom(requestedBy.slice(5))).emit('evidence:progress', rest);
  };
  flows.ceremonies.on('state', onState);
  flows.signing.on('signed', onSigned);
  flows.evidence.on('progress', onProgress);

  const canRead = (socket: TongbanSocket, ceremonyId: string) => {
    const state = flows.ceremonies.state(ceremonyId);
    const principal = socket.data.principal;
    authorize(principal, 'ceremony.read', { participant: ctx.sessions.isParticipant(principal, ctx.sessions.get(state.sessionId)) });
    return state;
  };

  realtime.onConnection((socket) => {
    const principal = socket.data.principal;
    if (principal.kind === 'user') void socket.join(userRoom(principal.userId));
    realtime.handle(socket, 'ceremony:join', ceremonyRequests['ceremony:join'], async ({ ceremonyId }) => {
      const state = canRead(socket, ceremonyId);
      await socket.join(ceremonyRoom(ceremonyId));
      return state;
    });
    realtime.handle(socket, 'ceremony:leave', ceremonyRequests['ceremony:leave'], async ({ ceremonyId }) => {
      await socket.leave(ceremonyRoom(ceremonyId));
      return { left: true as const };
    });
    realtime.handle(socket, 'ceremony:page', ceremonyRequests['ceremony:page'], ({ ceremonyId, page }) => {
      canRead(socket, ceremonyId);
      return flows.ceremonies.setPage(principal, ceremonyId, page);
    });
  });

  return () => {
    flows.ceremonies.off('state', onState);
    flows.signing.off('signed', onSigned);
    flows.evidence.off('progress', onProgress);
  };
}
