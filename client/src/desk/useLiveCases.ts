// The site's cases: loaded once over HTTP, then kept current by socket.io `case:updated` pushes.
import { useEffect, useState } from 'react';
import { api } from '../api/http.js';
import { sharedSocket } from '../api/socket.js';
import type { CaseList, CaseSummary } from '../api/types.js';

export function useLiveCases(): { cases: CaseSummary[]; error: unknown; live: boolean; upsert(c: CaseSummary): void } {
  const [cases, setCases] = useState<CaseSummary[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState(false);
  const upsert = (c: CaseSummary) =>
    setCases((list) =>
      [c, ...list.filter((x) => x.id !== c.id)].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    );

  useEffect(() => {
    const ac = new AbortController();
    api<CaseList>('/api/cases?limit=100', { signal: ac.signal })
      .then((r) => setCases(r.cases))
      .catch((err: unknown) => !ac.signal.aborted && setError(err));
    const socket = sharedSocket();
    const onConnect = () => setLive(true);
    const onDisconnect = () => setLive(false);
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('case:updated', upsert);
    setLive(socket.connected);
    return () => {
      ac.abort();
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('case:updated', upsert);
    };
  }, []);
  return { cases, error, live, upsert };
}
