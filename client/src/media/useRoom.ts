// React binding for RoomClient: one client per mounted room page, its state as React state.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { RoomClient, type RoomState } from './RoomClient.js';

declare global {
  interface Window {
    /** The live room client, for diagnostics from the console and for browser tests. */
    __tongbanRoom?: RoomClient;
  }
}

export function useRoom(sessionId: string): { client: RoomClient | null; state: RoomState | null } {
  const [client, setClient] = useState<RoomClient | null>(null);
  useEffect(() => {
    const c = new RoomClient({ sessionId });
    window.__tongbanRoom = c;
    setClient(c);
    void c.join().catch(() => undefined);
    return () => {
      void c.leave();
      if (window.__tongbanRoom === c) delete window.__tongbanRoom;
    };
  }, [sessionId]);
  const state = useSyncExternalStore(
    (notify) => {
      client?.addEventListener('change', notify);
      return () => client?.removeEventListener('change', notify);
    },
    () => client?.state ?? null,
  );
  return { client, state };
}
