// The evidence package: the server builds it as a job (progress polled), then the zip downloads
// (progress by bytes) and is handed to the browser to save. The same job path serves the redacted
// playback video (useJobDownload).
import { useState } from 'react';
import { api, download, saveBlob } from '../api/http.js';
import { ErrorAlert } from '../components/Alert.js';
import { Progress } from '../components/Progress.js';
import { useAction } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';
import type { EvidenceJob } from '../api/types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a job, follows its progress, downloads its file and hands it to the browser to save. */
export function useJobDownload(o: {
  readonly start: () => Promise<EvidenceJob>;
  readonly fileOf: (job: EvidenceJob) => string;
  readonly fileName: string;
  readonly building: string;
  readonly downloading: string;
}) {
  const [progress, setProgress] = useState<{ label: string; fraction: number | null } | null>(null);
  const [done, setDone] = useState(false);
  const run = useAction(async () => {
    setDone(false);
    try {
      let job = await o.start();
      while (job.status === 'running') {
        setProgress({ label: o.building, fraction: job.progress });
        await sleep(300);
        job = await api<EvidenceJob>(`/api/evidence-jobs/${job.id}`);
      }
      if (job.status === 'failed') throw new Error(job.error ?? 'export failed');
      setProgress({ label: o.downloading, fraction: 0 });
      const blob = await download(o.fileOf(job), (_n, fraction) => setProgress({ label: o.downloading, fraction }));
      saveBlob(blob, o.fileName);
      setDone(true);
    } finally {
      setProgress(null);
    }
  });
  return { run, progress, done };
}

export function EvidenceExport({ recordId, fileName }: { recordId: string; fileName: string }) {
  const { t } = useI18n();
  const job = useJobDownload({
    start: () => api<EvidenceJob>(`/api/records/${recordId}/evidence`, { method: 'POST' }),
    fileOf: (job) => `/api/evidence-jobs/${job.id}/download`,
    fileName,
    building: t('audit.exportBuilding'),
    downloading: t('audit.exportDownloading'),
  });
  return (
    <section className="card" aria-labelledby="evidence-title">
      <h2 id="evidence-title">{t('audit.evidence')}</h2>
      <p className="muted">{t('audit.evidenceHint')}</p>
      <button
        type="button"
        className="primary"
        data-testid="evidence-export"
        disabled={job.run.busy}
        onClick={() => void job.run.run()}
      >
        {job.run.busy ? t('audit.exporting') : t('audit.export')}
      </button>
      <JobOutcome job={job} fileName={fileName} testIds={{ progress: 'evidence-progress', done: 'evidence-done' }} />
    </section>
  );
}

/** A job's progress bar while it runs, then the saved file's name, or the error. */
export function JobOutcome({
  job: { run, progress, done },
  fileName,
  testIds,
}: {
  job: ReturnType<typeof useJobDownload>;
  fileName: string;
  testIds: { progress: string; done: string };
}) {
  const { t } = useI18n();
  return (
    <>
      {progress && <Progress testId={testIds.progress} label={progress.label} fraction={progress.fraction} />}
      {done && (
        <p className="alert ok" role="status" data-testid={testIds.done}>
          {t('audit.exported', { file: fileName })}
        </p>
      )}
      <ErrorAlert error={run.error} />
    </>
  );
}
