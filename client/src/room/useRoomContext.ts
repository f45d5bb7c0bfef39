// What the room page knows around the media: the session (case or ceremony), the case for clerks,
// the sites for labels and the document to sign. All optional: the video works without any of it.
import { useEffect, useState } from 'react';
import { api, ApiError } from '../api/http.js';
import type { CaseSummary, SessionInfo, Site } from '../api/types.js';

export interface RoomContext {
  readonly session: SessionInfo | null;
  readonly kase: CaseSummary | null;
  readonly sites: Site[];
  readonly documentId: string | null;
  /** The session ended, or this login's access to it did (a guest's ends with the session). */
  readonly ended: boolean;
}

export function useRoomContext(
  sessionId: string,
  canReadCase: boolean,
  pollMs = 3_000,
): RoomContext & { setDocumentId(id: string): void } {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [kase, setCase] = useState<CaseSummary | null>(null);
  const [sites, setSites] = useState<Site[]>([]);
  const [confirmedDoc, setConfirmedDoc] = useState<string | null>(null);
  const [ended, setEnded] = useState(false);

  useEffect(() => {
    void api<{ sites: Site[] }>('/api/sites')
      .then((r) => setSites(r.sites))
      .catch(() => undefined);
  }, []);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      const s = await api<SessionInfo>(`/api/sessions/${encodeURIComponent(sessionId)}`).catch((err: unknown) => {
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) setEnded(true);
        return null;
      });
      if (stopped) return;
      if (s) setSession(s);
      if (s?.status === 'ended') setEnded(true);
      if (s?.caseId && canReadCase) {
        const c = await api<CaseSummary>(`/api/cases/${s.caseId}`).catch(() => null);
        if (!stopped && c) setCase(c);
      }
      // Without an API to read (a bare media server) there is nothing to follow.
      if (!stopped && s) timer = setTimeout(() => void load(), pollMs);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [sessionId, canReadCase, pollMs]);

  const documentId = confirmedDoc ?? session?.documentId ?? null;
  return { session, kase, sites, documentId, ended, setDocumentId: setConfirmedDoc };
}

/** The site shown under a participant's video in a case session. */
export function caseSiteOf(kase: CaseSummary | null, peerId: string, role: string): string | null {
  if (!kase) return null;
  if (role === 'applicant') return kase.originatingSite.name;
  const userId = peerId.startsWith('user:') ? peerId.slice(5) : null;
  if (userId && userId === kase.acceptedBy) return kase.handlingSite.name;
  if (userId && userId === kase.createdBy) return kase.originatingSite.name;
  return null;
}
