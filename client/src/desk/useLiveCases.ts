// The site's cases: loaded once over HTTP, then kept current by socket.io `case:updated` pushes.
import { useEffect, useState } from 'react';
import { io } from 'socket.io-client';
import { api } from '../api/http.js';
import type { CaseSummary } from '../api/types.js';

export function useLiveCases(): { cases: CaseSummary[]; error: unknown; live: boolean; upsert(c: CaseSummary): void } {
  const [cases, setCases] = useState<CaseSummary[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState(false);
  const upsert = (c: CaseSummary) =>
    setCases((list) => [c, ...list.filter((x) => x.id !== c.id)].sort((a, b) => b.createdAt.localeCompare(a.createdAt)));

  useEffect(() => {
    const ac = new AbortController();
    api<{ cases: CaseSummary[] }>('/api/cases?limit=100', { signal: ac.signal })
      .then((r) => setCases(r.cases))
      .catch((err: unknown) => !ac.signal.aborted && setError(err));
    const socket = io({ transports: ['websocket'] });
    socket.on('connect', () => setLive(true));
    socket.on('disconnect', () => setLive(false));
    socket.on('case:updated', (c: CaseSummary) => upsert(c));
    return () => {
      ac.abort();
      socket.disconnect();
    };
  }, []);
  return { cases, error, live, upsert };
}
