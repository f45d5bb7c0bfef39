// Waiting for the live queue's pushes in tests.
import type { CaseSummary } from '../features/cases/index.js';
import type { TestSocket } from './TestServer.js';

/** The next `case:updated` on the socket that satisfies `predicate`. */
export function nextUpdate(socket: TestSocket, predicate: (c: CaseSummary) => boolean): Promise<CaseSummary> {
  return new Promise((resolve) => {
    const on = (c: CaseSummary) => {
      if (!predicate(c)) return;
      socket.off('case:updated', on);
      resolve(c);
    };
    socket.on('case:updated', on);
  });
}
