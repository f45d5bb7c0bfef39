// The signing state of a flow document, polled while the page is open (signatures land from other
// participants' browsers): who signs in which order and who has signed.
import type { DocumentStatus } from '../api/types.js';
import { usePolled } from '../components/usePolled.js';

export function useDocumentState(
  documentId: string | null,
  pollMs = 2_000,
): { doc: DocumentStatus | null; error: unknown; refresh(): void } {
  const { value, error, refresh } = usePolled<DocumentStatus>(
    documentId ? `/api/documents/${documentId}/status` : null,
    pollMs,
  );
  return { doc: value, error, refresh };
}
