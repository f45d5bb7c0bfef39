// A live room closes (and its recording is sealed) when its session ends, or when its case reaches
// a final state without the flows ending the session (rejected, cancelled, archived), wherever in
// the cluster the room runs (relay/desk-endpoint.ts clusterRoomEnder).
import type { CaseService } from '../cases/index.js';
import type { SessionService } from '../sessions/index.js';

const finalCaseStates: readonly string[] = ['archived', 'rejected', 'cancelled'];

export function closeRoomsWhenSessionsEnd(
  endRoom: (sessionId: string) => Promise<unknown>,
  deps: { readonly cases: CaseService; readonly sessions: SessionService; readonly log: (err: unknown) => void },
): () => void {
  const end = (sessionId: string) => void endRoom(sessionId).catch(deps.log);
  const offCases = deps.cases.onChange((c) => {
    if (c.sessionId && finalCaseStates.includes(c.status)) end(c.sessionId);
  });
  const offSessions = deps.sessions.onEnded(end);
  return () => {
    offCases();
    offSessions();
  };
}
