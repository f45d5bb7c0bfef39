// A live room closes (and its recording is sealed) when its session ends, or when its case reaches
// a final state without the flows ending the session (rejected, cancelled, archived).
import type { CaseService } from '../cases/index.js';
import type { SessionService } from '../sessions/index.js';
import type { MediaService } from './MediaService.js';

const finalCaseStates: readonly string[] = ['archived', 'rejected', 'cancelled'];

export function closeRoomsWhenSessionsEnd(
  media: MediaService,
  deps: { readonly cases: CaseService; readonly sessions: SessionService },
): () => void {
  const end = (sessionId: string) => void media.endSession(sessionId).catch(() => undefined);
  const offCases = deps.cases.onChange((c) => {
    if (c.sessionId && finalCaseStates.includes(c.status)) end(c.sessionId);
  });
  const offSessions = deps.sessions.onEnded(end);
  return () => {
    offCases();
    offSessions();
  };
}
