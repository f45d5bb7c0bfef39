// A ceremony's state, polled: the current page set by the host, whose turn it is, who has signed.
import { useEffect, useState } from 'react';
import { api } from '../api/http.js';
import type { CeremonyState } from '../api/types.js';

export function useCeremony(id: string, pollMs = 1_500): { state: CeremonyState | null; error: unknown; set(s: CeremonyState): void } {
  const [state, setState] = useState<CeremonyState | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const s = await api<CeremonyState>(`/api/ceremonies/${id}`);
        if (!stopped) {
          setState(s);
          setError(null);
        }
      } catch (err) {
        if (!stopped) setError(err);
      }
      if (!stopped) timer = setTimeout(() => void load(), pollMs);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id, pollMs]);
  return { state, error, set: setState };
}
