// One archived record for the auditor: signed PDFs with validation reports, the recording with its
// integrity status, snapshots, the audit trail, and the evidence export.
import { api } from '../api/http.js';
import { actionLabel } from '../audit/actions.js';
import { EvidenceExport } from '../audit/EvidenceExport.js';
import { LtvRenewals } from '../audit/LtvRenewals.js';
import { RecordingPanel } from '../audit/RecordingPanel.js';
import { SignatureReport } from '../audit/SignatureReport.js';
import type { RecordDetail } from '../api/types.js';
import { ErrorAlert, Loading } from '../components/Alert.js';
import { AppShell } from '../components/AppShell.js';
import { useAsync } from '../components/useAsync.js';
import { formatTime, roleKey } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import { navigate } from '../router.js';

export function RecordPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const detail = useAsync((signal) => api<RecordDetail>(`/api/records/${id}`, { signal }), [id]);
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
  if (!detail.data) {
    return (
      <AppShell wide>
        {back}
        {detail.error ? <ErrorAlert error={detail.error} /> : <Loading label={t('audit.verifying')} />}
      </AppShell>
    );
  }
  const { record: r, documents, snapshots, recording, audit } = detail.data;
  return (
    <AppShell wide>
      {back}
      <div className="page-title">
        <h1>
          {r.title} <small className="mono">{r.number}</small>
        </h1>
        {r.legalHold && <span className="badge warn">{t('audit.legalHold')}</span>}
      </div>
      <dl className="facts card">
        <dt>{t('audit.kind')}</dt>
        <dd>{r.kind === 'ceremony' ? t('audit.kindCeremony') : t('audit.kindCase')}</dd>
        <dt>{t('audit.sites')}</dt>
        <dd>{r.sites.map((s) => s.name).join('、')}</dd>
        <dt>{t('audit.participants')}</dt>
        <dd>{r.participants.map((p) => `${p.name}（${t(roleKey(p.role))}）`).join('、')}</dd>
        <dt>{t('audit.archivedAt')}</dt>
        <dd>{formatTime(r.archivedAt, lang)}</dd>
        <dt>{t('audit.retainUntil')}</dt>
        <dd>{formatTime(r.retainUntil, lang)}</dd>
      </dl>
      <div className="split record">
        <div className="stack">
          <h2>{t('audit.documents')}</h2>
          {documents.map((d) => (
            <SignatureReport key={d.id} documentId={d.id} title={d.title} report={d.verification} />
          ))}
          {r.sessionId && (
            <RecordingPanel sessionId={r.sessionId} check={recording} record={{ id: r.id, number: r.number }} />
          )}
        </div>
        <div className="stack">
          <EvidenceExport recordId={r.id} fileName={`evidence-${r.number}.zip`} />
          <LtvRenewals recordId={r.id} />
          {snapshots.length > 0 && (
            <section className="card" aria-labelledby="snapshots-title">
              <h2 id="snapshots-title">{t('identity.snapshots')}</h2>
              <ul className="snapshots">
                {snapshots.map((s) => (
                  <li key={s.id} data-testid="record-snapshot">
                    <img
                      src={`/api/cases/${s.caseId}/snapshots/${s.id}`}
                      alt={t(s.kind === 'face' ? 'identity.faceAlt' : 'identity.idAlt')}
                    />
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
            <ol className="timeline" data-testid="audit-trail">
              {audit.map((e) => (
                <li key={e.id}>
                  <time>{formatTime(e.at, lang)}</time>
                  <span title={e.action}>{actionLabel(e.action, lang)}</span>
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
