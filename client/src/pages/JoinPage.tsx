// The applicant's entry: the invitation code buys a guest session for one video session.
import { useEffect, useState } from 'react';
import { navigate } from '../router.js';

export function JoinPage({ code }: { code: string }) {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void (async () => {
      const res = await fetch('/api/join', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
        credentials: 'same-origin',
      });
      const body = (await res.json().catch(() => ({}))) as { sessionId?: string; error?: { message: string } };
      if (!res.ok || !body.sessionId) {
        setError(body.error?.message ?? `HTTP ${res.status}`);
        return;
      }
      navigate(`/room/${encodeURIComponent(body.sessionId)}`);
    })().catch((err: unknown) => setError(String(err)));
  }, [code]);
  return <main>{error ? <p role="alert">邀请无效 / invitation not valid: {error}</p> : <p>正在进入… / joining…</p>}</main>;
}
