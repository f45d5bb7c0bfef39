// A ceremony's state, polled: the current page set by the host, whose turn it is, who has signed.
import type { CeremonyState } from '../api/types.js';
import { usePolled } from '../components/usePolled.js';

export function useCeremony(id: string, pollMs = 1_500): { state: CeremonyState | null; error: unknown; set(s: CeremonyState): void } {
  const { value, error, set } = usePolled<CeremonyState>(`/api/ceremonies/${id}`, pollMs);
  return { state: value, error, set };
}
