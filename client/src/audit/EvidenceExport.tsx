// The evidence package: the server builds it as a job (progress polled), then the zip downloads
// (progress by bytes) and is handed to the browser to save.
import { useState } from 'react';
import { api, download, saveBlob } from '../api/http.js';
import { ErrorAlert } from '../components/Alert.js';
import { Progress } from '../components/Progress.js';
import { useAction } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';
import type { EvidenceJob } from '../api/types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function EvidenceExport({ recordId, fileName }: { recordId: string; fileName: string }) {
  const { t } = useI18n();
  const [progress, setProgress] = useState<{ label: string; fraction: number | null } | null>(null);
  const [done, setDone] = useState(false);
  const run = useAction(async () => {
    setDone(false);
    try {
      let job = await api<EvidenceJob>(`/api/records/${recordId}/evidence`, { method: 'POST' });
      while (job.status === 'running') {
        setProgress({ label: t('audit.exportBuilding'), fraction: job.progress });
        await sleep(300);
        job = await api<EvidenceJob>(`/api/evidence-jobs/${job.id}`);
      }
      if (job.status === 'failed') throw new Error(job.error ?? 'export failed');
      setProgress({ label: t('audit.exportDownloading'), fraction: 0 });
      const blob = await download(`/api/evidence-jobs/${job.id}/download`, (_n, fraction) =>
        setProgress({ label: t('audit.exportDownloading'), fraction }),
      );
      saveBlob(blob, fileName);
      setDone(true);
    } finally {
      setProgress(null);
    }
  });
  return (
    <section className="card" aria-labelledby="evidence-title">
      <h2 id="evidence-title">{t('audit.evidence')}</h2>
      <p className="muted">{t('audit.evidenceHint')}</p>
      <button
        type="button"
        className="primary"
        data-testid="evidence-export"
        disabled={run.busy}
        onClick={() => void run.run()}
      >
        {run.busy ? t('audit.exporting') : t('audit.export')}
      </button>
      {progress && <Progress testId="evidence-progress" label={progress.label} fraction={progress.fraction} />}
      {done && (
        <p className="alert ok" role="status" data-testid="evidence-done">
          {t('audit.exported', { file: fileName })}
        </p>
      )}
      <ErrorAlert error={run.error} />
    </section>
  );
}
