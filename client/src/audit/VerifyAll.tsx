// "Verify all results": the server verifies every record of the current search as a job (progress
// polled), then the table shows each record's result; the CSV (UTF-8 with BOM, for Excel) comes
// from the server.
import { useState } from 'react';
import { api, download, saveBlob } from '../api/http.js';
import type { RecordFilters, RecordVerificationJob } from '../api/types.js';
import { ErrorAlert } from '../components/Alert.js';
import { DataTable } from '../components/DataTable.js';
import { Progress } from '../components/Progress.js';
import { useAction } from '../components/useAsync.js';
import { formatTime } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import { navigate } from '../router.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function VerifyAll({ filters }: { filters: RecordFilters }) {
  const { t, lang } = useI18n();
  const [job, setJob] = useState<RecordVerificationJob | null>(null);
  const run = useAction(async () => {
    let current = await api<RecordVerificationJob>('/api/record-verifications', { method: 'POST', body: filters });
    setJob(current);
    while (current.status === 'running') {
      await sleep(300);
      current = await api<RecordVerificationJob>(`/api/record-verifications/${current.id}`);
      setJob(current);
    }
    if (current.status === 'failed') throw new Error(current.error ?? 'verification failed');
  });
  const exportCsv = useAction(async () => {
    if (!job) return;
    const blob = await download(`/api/record-verifications/${job.id}/results.csv`, () => undefined);
    saveBlob(blob, `record-verification-${job.id}.csv`);
  });
  const valid = job?.rows.filter((r) => r.valid).length ?? 0;
  const recordingText = {
    valid: 'audit.vRecordingValid',
    invalid: 'audit.vRecordingInvalid',
    none: 'audit.vRecordingNone',
  } as const;
  return (
    <section className="card" aria-labelledby="verify-all-title">
      <h2 id="verify-all-title">{t('audit.verifyTitle')}</h2>
      <p className="muted">{t('audit.verifyAllHint')}</p>
      <button
        type="button"
        className="primary"
        data-testid="verify-all"
        disabled={run.busy}
        onClick={() => void run.run()}
      >
        {t('audit.verifyAll')}
      </button>
      {run.busy && job && (
        <Progress
          testId="verify-all-progress"
          label={t('audit.batchVerifying', { checked: job.checked, total: job.total })}
          fraction={job.total ? job.checked / job.total : null}
        />
      )}
      <ErrorAlert error={run.error} />
      {job && job.status === 'done' && (
        <>
          <p className="alert ok" role="status" data-testid="verify-all-summary">
            {t('audit.verifySummary', { total: job.total, valid, invalid: job.total - valid })}
          </p>
          <DataTable
            headers={[
              t('audit.number'),
              t('audit.subject'),
              t('audit.archivedAt'),
              t('audit.vSignatures'),
              t('audit.vRecording'),
              t('audit.vResult'),
            ]}
          >
            {job.rows.map((r) => (
              <tr key={r.recordId} data-testid="verify-row" data-record-id={r.recordId} data-valid={r.valid}>
                <td>
                  <a
                    href={`/audit/records/${r.recordId}`}
                    className="mono"
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/audit/records/${r.recordId}`);
                    }}
                  >
                    {r.number}
                  </a>
                </td>
                <td>{r.title}</td>
                <td>{formatTime(r.archivedAt, lang)}</td>
                <td>{r.signatures}</td>
                <td>{t(recordingText[r.recording])}</td>
                <td>
                  <span className={r.valid ? 'badge valid' : 'badge invalid'}>
                    {r.valid ? t('audit.vValid') : t('audit.vInvalid')}
                  </span>
                  {r.problems.length > 0 && <div className="muted small">{r.problems.join('; ')}</div>}
                </td>
              </tr>
            ))}
          </DataTable>
          <button
            type="button"
            data-testid="verify-all-csv"
            disabled={exportCsv.busy}
            onClick={() => void exportCsv.run()}
          >
            {t('audit.exportCsv')}
          </button>
          <ErrorAlert error={exportCsv.error} />
        </>
      )}
    </section>
  );
}
