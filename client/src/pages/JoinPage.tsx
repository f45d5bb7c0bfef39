// The applicant's entry: the invitation code buys a guest session for one video session. The code
// is redeemed only when the applicant clicks: link previewers and prefetchers open the page too,
// and a one-time code they used up would lock the applicant out.
import { api } from '../api/http.js';
import { ErrorAlert } from '../components/Alert.js';
import { AppShell } from '../components/AppShell.js';
import { useAction } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';
import { navigate } from '../router.js';
import { useSession } from '../session.js';

export function JoinPage({ code }: { code: string }) {
  const { t } = useI18n();
  const { refresh } = useSession();
  const join = useAction(async () => {
    const r = await api<{ sessionId: string }>('/api/join', { method: 'POST', body: { code } });
    await refresh();
    navigate(`/room/${encodeURIComponent(r.sessionId)}`, { replace: true });
  });
  return (
    <AppShell>
      <section className="card narrow-card">
        <h1>{t('join.title')}</h1>
        {join.error ? (
          <>
            <ErrorAlert error={join.error} />
            <p className="muted">{t('join.askClerk')}</p>
          </>
        ) : (
          <>
            <p>{t('join.prompt')}</p>
            <button
              type="button"
              className="primary"
              data-testid="join-button"
              disabled={join.busy}
              onClick={() => void join.run()}
            >
              {join.busy ? t('join.joining') : t('join.button')}
            </button>
          </>
        )}
      </section>
    </AppShell>
  );
}
