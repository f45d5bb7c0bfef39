// One signed PDF's validation report, signature by signature, in words.
import type { VerificationReport } from '../api/types.js';
import { DataTable } from '../components/DataTable.js';
import { formatTime } from '../format.js';
import { useI18n } from '../i18n/i18n.js';

export function SignatureReport({
  documentId,
  title,
  report,
}: {
  documentId: string;
  title: string;
  report: VerificationReport;
}) {
  const { t, lang } = useI18n();
  const yes = (ok: boolean) => (
    <span className={ok ? 'ok-text' : 'bad-text'}>{ok ? t('common.yes') : t('common.no')}</span>
  );
  return (
    <section className="card" aria-label={title} data-testid="document-report">
      <div className="case-head">
        <h3>{title}</h3>
        <span
          className={`badge ${report.valid ? 'valid' : 'invalid'}`}
          data-testid="document-valid"
          data-valid={String(report.valid)}
        >
          {report.valid ? t('audit.allValid') : t('audit.notValid')}
        </span>
        <a className="button-link" href={`/api/documents/${documentId}`} download>
          {t('audit.downloadPdf')}
        </a>
      </div>
      <DataTable
        compact
        headers={[
          t('audit.signer'),
          t('audit.intact'),
          t('audit.trusted'),
          t('audit.notRevoked'),
          t('audit.level'),
          t('audit.timestamp'),
          t('audit.coverage'),
        ]}
      >
        {report.signatures.map((s, i) => (
          <tr key={i} data-testid="signature-row" data-valid={String(s.intact && s.trusted && !s.revoked)}>
            <td>{s.level === 'document-timestamp' ? t('audit.documentTimestamp') : (s.signer?.name ?? '—')}</td>
            <td>{yes(s.intact)}</td>
            <td>{yes(s.trusted)}</td>
            <td>{yes(!s.revoked)}</td>
            <td className="mono">{s.level ?? '—'}</td>
            <td>{s.timestamp ? `${formatTime(s.timestamp.time, lang)} ${s.timestamp.valid ? '✓' : '✗'}` : '—'}</td>
            <td>{s.coversWholeDocument ? t('audit.wholeDocument') : t('audit.laterUpdates')}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
