// The liveness prompt reaches the applicant's screen through the session's media room.
import type { SocketModule } from '../../../realtime/RealtimeServer.js';
import { mediaRoom, type LivenessPromptEvent } from '../../../../protocol/socket.js';
import type { FaceCheckService } from './FaceCheckService.js';

export function faceCheckSockets(deps: { readonly faceChecks: FaceCheckService }): SocketModule {
  return {
    name: 'face-checks',
    attach(realtime) {
      const onPrompt = (event: LivenessPromptEvent) =>
        realtime.io.to(mediaRoom(event.sessionId)).emit('identity:liveness', event);
      deps.faceChecks.on('prompt', onPrompt);
      return () => deps.faceChecks.off('prompt', onPrompt);
    },
  };
}
