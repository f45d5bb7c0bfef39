// A ceremony's state, kept current by the server: loaded over HTTP, then pushed over socket.io
// (`ceremony:state` after every page turn, turn, signature or abort) once the socket has joined
// the ceremony's room. Each (re)connection joins again and takes the state from the answer, so a
// network blip misses nothing; while the socket is down the state is polled instead.
import { useEffect, useState } from 'react';
import { io } from 'socket.io-client';
import type { CeremonyState } from '../api/types.js';
import { usePolled } from '../components/usePolled.js';

type JoinAck = { ok: true; data: CeremonyState } | { ok: false; error: { code: string; message: string } };

const OFFLINE_POLL_MS = 3_000;

export function useCeremony(id: string): { state: CeremonyState | null; error: unknown; set(s: CeremonyState): void; live: boolean } {
  const [live, setLive] = useState(false);
  const { value, error, set } = usePolled<CeremonyState>(`/api/ceremonies/${id}`, live ? null : OFFLINE_POLL_MS);
  useEffect(() => {
    const socket = io({ transports: ['websocket'] });
    socket.on('connect', () => {
      socket.emit('ceremony:join', { ceremonyId: id }, (ack: JoinAck) => {
        if (!ack.ok) return;
        set(ack.data);
        setLive(true);
      });
    });
    socket.on('disconnect', () => setLive(false));
    socket.on('ceremony:state', (s: CeremonyState) => {
      if (s.id === id) set(s);
    });
    return () => {
      socket.disconnect();
    };
  }, [id]);
  return { state: value, error, set, live };
}
