// One signed PDF's validation report, signature by signature, in words.
import { api } from '../api/http.js';
import type { VerificationReport } from '../api/types.js';
import { ErrorAlert, Loading } from '../components/Alert.js';
import { DataTable } from '../components/DataTable.js';
import { useAsync } from '../components/useAsync.js';
import { formatTime } from '../format.js';
import { useI18n } from '../i18n/i18n.js';

export function SignatureReport({ documentId, title }: { documentId: string; title: string }) {
  const { t, lang } = useI18n();
  const report = useAsync((signal) => api<VerificationReport>(`/api/documents/${documentId}/verification`, { signal }), [documentId]);
  const yes = (ok: boolean) => <span className={ok ? 'ok-text' : 'bad-text'}>{ok ? t('common.yes') : t('common.no')}</span>;
  return (
    <section className="card" aria-label={title} data-testid="document-report">
      <div className="case-head">
        <h3>{title}</h3>
        {report.data && (
          <span className={`badge ${report.data.valid ? 'valid' : 'invalid'}`} data-testid="document-valid" data-valid={String(report.data.valid)}>
            {report.data.valid ? t('audit.allValid') : t('audit.notValid')}
          </span>
        )}
        <a className="button-link" href={`/api/documents/${documentId}`} download>
          {t('audit.downloadPdf')}
        </a>
      </div>
      <ErrorAlert error={report.error} />
      {report.loading && !report.data && <Loading label={t('audit.verifying')} />}
      {report.data && (
        <DataTable
          compact
          headers={[t('audit.signer'), t('audit.intact'), t('audit.trusted'), t('audit.notRevoked'), t('audit.level'), t('audit.timestamp'), t('audit.coverage')]}
        >
              {report.data.signatures.map((s, i) => (
                <tr key={i} data-testid="signature-row" data-valid={String(s.intact && s.trusted && !s.revoked)}>
                  <td>{s.signer?.name ?? t('audit.documentTimestamp')}</td>
                  <td>{yes(s.intact)}</td>
                  <td>{yes(s.trusted)}</td>
                  <td>{yes(!s.revoked)}</td>
                  <td className="mono">{s.level ?? '—'}</td>
                  <td>{s.timestamp ? `${formatTime(s.timestamp.time, lang)} ${s.timestamp.valid ? '✓' : '✗'}` : '—'}</td>
                  <td>{s.coversWholeDocument ? t('audit.wholeDocument') : t('audit.laterUpdates')}</td>
                </tr>
              ))}
        </DataTable>
      )}
    </section>
  );
}
