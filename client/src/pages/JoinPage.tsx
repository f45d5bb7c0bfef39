// The applicant's entry: the invitation code buys a guest session for one video session.
import { useEffect, useState } from 'react';
import { api } from '../api/http.js';
import { ErrorAlert } from '../components/Alert.js';
import { AppShell } from '../components/AppShell.js';
import { useI18n } from '../i18n/i18n.js';
import { navigate } from '../router.js';
import { useSession } from '../session.js';

export function JoinPage({ code }: { code: string }) {
  const { t } = useI18n();
  const { refresh } = useSession();
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const ac = new AbortController();
    api<{ sessionId: string }>('/api/join', { method: 'POST', body: { code }, signal: ac.signal })
      .then(async (r) => {
        await refresh();
        navigate(`/room/${encodeURIComponent(r.sessionId)}`, { replace: true });
      })
      .catch((err: unknown) => !ac.signal.aborted && setError(err));
    return () => ac.abort();
  }, [code, refresh]);
  return (
    <AppShell>
      <section className="card narrow-card">
        <h1>{t('join.title')}</h1>
        {error ? (
          <>
            <ErrorAlert error={error} />
            <p className="muted">{t('join.askClerk')}</p>
          </>
        ) : (
          <p role="status">{t('join.joining')}</p>
        )}
      </section>
    </AppShell>
  );
}
