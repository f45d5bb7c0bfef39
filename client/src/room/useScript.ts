// A case's 意愿确认 run as the server last told it: read once, then followed through `script:state`
// pushes (the session's media room for the applicant, the site room for the clerks).
import { useEffect, useState } from 'react';
import { api } from '../api/http.js';
import { sharedSocket } from '../api/socket.js';
import type { Pushed, ScriptRunState } from '../api/types.js';

export type ScriptView = Pushed<ScriptRunState>;

export function useScript(caseId: string | null): [ScriptView | null, (s: ScriptView) => void] {
  const [state, setState] = useState<ScriptView | null>(null);
  useEffect(() => {
    if (!caseId) return;
    let stopped = false;
    void api<ScriptRunState>(`/api/cases/${encodeURIComponent(caseId)}/script`)
      .then((s) => !stopped && setState(s))
      .catch(() => undefined);
    const socket = sharedSocket();
    const onState = (s: ScriptView) => {
      if (s.caseId === caseId) setState(s);
    };
    socket.on('script:state', onState);
    return () => {
      stopped = true;
      socket.off('script:state', onState);
    };
  }, [caseId]);
  return [state, setState];
}
