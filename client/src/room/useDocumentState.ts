// The signing state of a flow document, polled while the page is open (signatures land from other
// participants' browsers): who signs in which order and who has signed.
import { useEffect, useState } from 'react';
import { api } from '../api/http.js';
import type { DocumentStatus } from '../api/types.js';

export function useDocumentState(documentId: string | null, pollMs = 2_000): { doc: DocumentStatus | null; error: unknown; refresh(): void } {
  const [doc, setDoc] = useState<DocumentStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!documentId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const d = await api<DocumentStatus>(`/api/documents/${documentId}/status`);
        if (!stopped) {
          setDoc(d);
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
  }, [documentId, pollMs, tick]);
  return { doc, error, refresh: () => setTick((n) => n + 1) };
}
