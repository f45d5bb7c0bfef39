// A record's long-term validation renewals: each fresh document timestamp added to one of its PDFs
// before the previous one's TSA certificate or hash ran out (date, TSA, reason).
import { api } from '../api/http.js';
import type { LtvRenewal } from '../api/types.js';
import { ErrorAlert } from '../components/Alert.js';
import { useAsync } from '../components/useAsync.js';
import { formatTime } from '../format.js';
import { useI18n } from '../i18n/i18n.js';

export function LtvRenewals({ recordId }: { recordId: string }) {
  const { t, lang } = useI18n();
  const list = useAsync(
    (signal) => api<{ renewals: LtvRenewal[] }>(`/api/records/${recordId}/ltv-renewals`, { signal }),
    [recordId],
  );
  return (
    <section className="card" aria-labelledby="ltv-title">
      <h2 id="ltv-title">{t('ltv.title')}</h2>
      <ErrorAlert error={list.error} />
      {list.data?.renewals.length === 0 && <p className="muted">{t('ltv.none')}</p>}
      {list.data && list.data.renewals.length > 0 && (
        <ol className="timeline" data-testid="ltv-renewals">
          {list.data.renewals.map((r) => (
            <li key={r.id}>
              <time>{formatTime(r.at, lang)}</time>
              <span>
                {t(r.reason === 'algorithm_weakening' ? 'ltv.reasonAlgorithm' : 'ltv.reasonTsa')} · {r.tsa} · {r.digest}
              </span>
              <small className="mono muted">{r.sha256.slice(0, 16)}…</small>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
