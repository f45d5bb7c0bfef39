// Downloads the evidence package (zip) with a progress bar, then hands it to the browser to save.
import { useState } from 'react';
import { download } from '../api/http.js';
import { ErrorAlert } from '../components/Alert.js';
import { Progress } from '../components/Progress.js';
import { useAction } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';

export function EvidenceExport({ recordId, fileName }: { recordId: string; fileName: string }) {
  const { t } = useI18n();
  const [progress, setProgress] = useState<{ fraction: number | null; received: number } | null>(null);
  const [done, setDone] = useState(false);
  const run = useAction(async () => {
    setDone(false);
    setProgress({ fraction: null, received: 0 });
    try {
      const blob = await download(`/api/records/${recordId}/evidence.zip`, (received, fraction) => setProgress({ received, fraction }));
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setDone(true);
    } finally {
      setProgress(null);
    }
  });
  return (
    <section className="card" aria-labelledby="evidence-title">
      <h2 id="evidence-title">{t('audit.evidence')}</h2>
      <p className="muted">{t('audit.evidenceHint')}</p>
      <button type="button" className="primary" data-testid="evidence-export" disabled={run.busy} onClick={() => void run.run()}>
        {run.busy ? t('audit.exporting') : t('audit.export')}
      </button>
      {progress && (
        <Progress
          testId="evidence-progress"
          label={t('audit.exportProgress', { size: `${(progress.received / 1024 / 1024).toFixed(1)} MB` })}
          fraction={progress.fraction}
        />
      )}
      {done && (
        <p className="alert ok" role="status" data-testid="evidence-done">
          {t('audit.exported', { file: fileName })}
        </p>
      )}
      <ErrorAlert error={run.error} />
    </section>
  );
}
