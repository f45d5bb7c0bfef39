// Who is signed in: loaded once from /api/me, refreshed after login and logout.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError } from './api/http.js';
import { followIdentity } from './api/socket.js';
import type { Me } from './api/types.js';

interface SessionValue {
  readonly me: Me | null;
  readonly ready: boolean;
  refresh(): Promise<Me | null>;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionValue>({
  me: null,
  ready: false,
  refresh: async () => null,
  logout: async () => undefined,
});

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [ready, setReady] = useState(false);
  const refresh = useCallback(async () => {
    let answered = true;
    const next = await api<Me>('/api/me').catch((err: unknown) => {
      answered = err instanceof ApiError && err.status === 401; // signed out, not a network blip
      return null;
    });
    // The shared socket was authenticated as whoever was signed in when it connected.
    if (answered) followIdentity(next && (next.kind === 'user' ? `user:${next.id}` : `guest:${next.guestId}`));
    setMe(next);
    setReady(true);
    return next;
  }, []);
  const logout = useCallback(async () => {
    await api('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
    followIdentity(null);
    setMe(null);
  }, []);
  useEffect(() => void refresh(), [refresh]);
  return <SessionContext.Provider value={{ me, ready, refresh, logout }}>{children}</SessionContext.Provider>;
}

export const useSession = () => useContext(SessionContext);

/** The page each role starts on after login. */
export function homeOf(me: Me): string {
  if (me.kind === 'guest') return `/room/${encodeURIComponent(me.sessionId)}`;
  switch (me.role) {
    case 'clerk':
      return '/desk';
    case 'official':
      return '/ceremony';
    case 'auditor':
      return '/audit';
    case 'admin':
      return '/admin';
  }
}
