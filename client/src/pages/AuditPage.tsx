// The auditor's record search (number, site, participant, dates).
import { useState, type FormEvent } from 'react';
import { api } from '../api/http.js';
import type { Site } from '../api/types.js';
import type { RecordFilters, RecordRow } from '../api/types.js';
import { VerifyAll } from '../audit/VerifyAll.js';
import { ErrorAlert, Loading } from '../components/Alert.js';
import { DataTable, SiteOptions } from '../components/DataTable.js';
import { AppShell } from '../components/AppShell.js';
import { useAsync } from '../components/useAsync.js';
import { formatTime } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import { navigate } from '../router.js';

export function AuditPage() {
  const { t, lang } = useI18n();
  const [form, setForm] = useState({ q: '', site: '', from: '', to: '' });
  const [query, setQuery] = useState(form);
  const sites = useAsync((signal) => api<{ sites: Site[] }>('/api/sites', { signal }), []);
  // The search's filters, for the list and for "verify all results" alike.
  const filters: RecordFilters = {
    ...(query.q.trim() ? { q: query.q.trim() } : {}),
    ...(query.site ? { site: query.site } : {}),
    ...(query.from ? { from: new Date(`${query.from}T00:00:00`).toISOString() } : {}),
    ...(query.to ? { to: new Date(`${query.to}T23:59:59`).toISOString() } : {}),
  };
  const records = useAsync(
    (signal) =>
      api<{ records: RecordRow[] }>(`/api/records?${new URLSearchParams(filters as Record<string, string>)}`, {
        signal,
      }),
    [query],
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery({ ...form });
  };
  const field = (k: keyof typeof form) => ({
    value: form[k],
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value })),
  });
  return (
    <AppShell wide>
      <div className="page-title">
        <h1>{t('audit.title')}</h1>
      </div>
      <section className="card">
        <form className="search-form" onSubmit={submit} role="search">
          <label>
            {t('audit.q')}
            <input data-testid="record-search" {...field('q')} placeholder={t('audit.qHint')} />
          </label>
          <label>
            {t('audit.site')}
            <select {...field('site')}>
              <SiteOptions sites={sites.data?.sites ?? []} none={t('audit.anySite')} />
            </select>
          </label>
          <label>
            {t('audit.from')}
            <input type="date" {...field('from')} />
          </label>
          <label>
            {t('audit.to')}
            <input type="date" {...field('to')} />
          </label>
          <button type="submit" className="primary" data-testid="record-search-submit">
            {t('audit.search')}
          </button>
        </form>
      </section>
      <section className="card" aria-label={t('audit.results')}>
        <h2>{t('audit.results')}</h2>
        <ErrorAlert error={records.error} />
        {records.loading && !records.data && <Loading />}
        {records.data && records.data.records.length === 0 && <p className="muted">{t('audit.none')}</p>}
        {records.data && records.data.records.length > 0 && (
          <DataTable
            headers={[t('audit.number'), t('audit.kind'), t('audit.subject'), t('audit.sites'), t('audit.archivedAt')]}
          >
            {records.data.records.map((r) => (
              <tr key={r.id} data-testid="record-row" data-record-id={r.id}>
                <td>
                  <a
                    href={`/audit/records/${r.id}`}
                    className="mono"
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/audit/records/${r.id}`);
                    }}
                  >
                    {r.number}
                  </a>
                </td>
                <td>{r.kind === 'ceremony' ? t('audit.kindCeremony') : t('audit.kindCase')}</td>
                <td>{r.title}</td>
                <td>{r.sites.map((s) => s.name).join('、')}</td>
                <td>{formatTime(r.archivedAt, lang)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      {records.data && records.data.records.length > 0 && <VerifyAll key={JSON.stringify(filters)} filters={filters} />}
    </AppShell>
  );
}
