// One archived record for the auditor: signed PDFs with validation reports, the recording with its
// integrity status, snapshots, the audit trail, and the evidence export.
import { api } from '../api/http.js';
import type { AuditEntry } from '../api/types.js';
import { EvidenceExport } from '../audit/EvidenceExport.js';
import { RecordingPanel } from '../audit/RecordingPanel.js';
import { SignatureReport } from '../audit/SignatureReport.js';
import type { RecordDetail } from '../audit/types.js';
import { ErrorAlert, Loading } from '../components/Alert.js';
import { AppShell } from '../components/AppShell.js';
import { useAsync } from '../components/useAsync.js';
import { formatTime } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import { navigate } from '../router.js';

export function RecordPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const record = useAsync((signal) => api<RecordDetail>(`/api/records/${id}`, { signal }), [id]);
  const trail = useAsync(
    async (signal) => record.data?.audit ?? (await api<{ entries: AuditEntry[] }>(`/api/audit?target=${encodeURIComponent(`record:${id}`)}`, { signal })).entries,
    [id, record.data],
  );
  const back = (
    <a
      href="/audit"
      onClick={(e) => {
        e.preventDefault();
        navigate('/audit');
      }}
    >
      ← {t('audit.back')}
    </a>
  );
  if (!record.data) return <AppShell wide>{back}{record.error ? <ErrorAlert error={record.error} /> : <Loading />}</AppShell>;
  const r = record.data;
  return (
    <AppShell wide>
      {back}
      <div className="page-title">
        <h1>
          {r.title ?? r.matter?.name ?? t('audit.record')} <small className="mono">{r.number ?? r.id}</small>
        </h1>
      </div>
      <dl className="facts card">
        <dt>{t('audit.kind')}</dt>
        <dd>{r.kind === 'ceremony' ? t('audit.kindCeremony') : t('audit.kindCase')}</dd>
        <dt>{t('audit.sites')}</dt>
        <dd>{r.sites?.map((s) => s.name).join('、') ?? '—'}</dd>
        <dt>{t('audit.participants')}</dt>
        <dd>{r.participants?.join('、') ?? '—'}</dd>
        <dt>{t('audit.archivedAt')}</dt>
        <dd>{formatTime(r.archivedAt ?? r.createdAt, lang)}</dd>
      </dl>
      <div className="split even">
        <div className="stack">
          <h2>{t('audit.documents')}</h2>
          {(r.documents ?? []).map((d) => (
            <SignatureReport key={d.id} documentId={d.id} title={d.title ?? d.kind ?? d.id} />
          ))}
          {r.sessionId && <RecordingPanel sessionId={r.sessionId} />}
        </div>
        <div className="stack">
          <EvidenceExport recordId={r.id} fileName={`evidence-${r.number ?? r.id}.zip`} />
          {r.snapshots && r.snapshots.length > 0 && (
            <section className="card" aria-labelledby="snapshots-title">
              <h2 id="snapshots-title">{t('identity.snapshots')}</h2>
              <ul className="snapshots">
                {r.snapshots.map((s) => (
                  <li key={s.id}>
                    {s.url && <img src={s.url} alt={t(s.kind === 'face' ? 'identity.faceAlt' : 'identity.idAlt')} />}
                    <small>
                      {t(s.kind === 'face' ? 'identity.face' : 'identity.id')} · {Math.round(s.offsetMs / 1000)} s
                      <br />
                      <span className="mono">{s.sha256.slice(0, 16)}…</span>
                    </small>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section className="card" aria-labelledby="trail-title">
            <h2 id="trail-title">{t('audit.trail')}</h2>
            <ErrorAlert error={trail.error} />
            <ol className="timeline" data-testid="audit-trail">
              {(trail.data ?? []).map((e) => (
                <li key={e.id}>
                  <time>{formatTime(e.at, lang)}</time>
                  <span>{e.action}</span>
                  <small className="muted">
                    {e.actor}
                    {e.target ? ` → ${e.target}` : ''}
                  </small>
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </AppShell>
  );
}
