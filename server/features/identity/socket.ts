// The 意愿确认 prompt reaches the applicant's screen through the session's media room, and the desks of
// the case's two sites (staff who may read the case) through their site rooms.
import type { SocketModule } from '../../realtime/RealtimeServer.js';
import type { CaseService } from '../cases/index.js';
import type { ScriptRunState } from '../../../protocol/http/script.js';
import { mediaRoom, siteRoom } from '../../../protocol/socket.js';
import type { ScriptService } from './ScriptService.js';

export function scriptSockets(deps: { readonly scripts: ScriptService; readonly cases: CaseService }): SocketModule {
  return {
    name: 'scripts',
    attach(realtime) {
      const push = (state: ScriptRunState) => {
        const sessionId = state.sessionId;
        if (!sessionId) return;
        void deps.cases.get(state.caseId).then(
          (c) =>
            realtime.io
              .to(mediaRoom(sessionId))
              .to(siteRoom(c.originatingSite.id))
              .to(siteRoom(c.handlingSite.id))
              .emit('script:state', state),
          () => undefined, // the case is gone: nobody to tell
        );
      };
      deps.scripts.on('changed', push);
      return () => deps.scripts.off('changed', push);
    },
  };
}
