// A ceremony's state, kept current by the server: loaded over HTTP, then pushed over socket.io
// (`ceremony:state` after every page turn, turn, signature or abort) once the shared socket has
// joined the ceremony's room. Each (re)connection joins again and takes the state from the answer,
// so a network blip misses nothing; while the socket is down the state is polled instead.
import { useEffect, useState } from 'react';
import { sharedSocket } from '../api/socket.js';
import type { CeremonyState } from '../api/types.js';
import { usePolled } from '../components/usePolled.js';

const OFFLINE_POLL_MS = 3_000;

export function useCeremony(id: string): {
  state: CeremonyState | null;
  error: unknown;
  set(s: CeremonyState): void;
  live: boolean;
} {
  const [live, setLive] = useState(false);
  const { value, error, set } = usePolled<CeremonyState>(`/api/ceremonies/${id}`, live ? null : OFFLINE_POLL_MS);
  useEffect(() => {
    const socket = sharedSocket();
    const join = () => {
      socket.emit('ceremony:join', { ceremonyId: id }, (ack) => {
        if (!ack.ok) return;
        set(ack.data);
        setLive(true);
      });
    };
    const onDisconnect = () => setLive(false);
    const onState = (s: CeremonyState) => {
      if (s.id === id) set(s);
    };
    socket.on('connect', join);
    socket.on('disconnect', onDisconnect);
    socket.on('ceremony:state', onState);
    if (socket.connected) join();
    return () => {
      socket.off('connect', join);
      socket.off('disconnect', onDisconnect);
      socket.off('ceremony:state', onState);
      setLive(false);
      // The shared socket stays up for the other hooks: only this ceremony's room is left.
      if (socket.connected) socket.emit('ceremony:leave', { ceremonyId: id }, () => undefined);
    };
  }, [id, set]);
  return { state: value, error, set, live };
}
