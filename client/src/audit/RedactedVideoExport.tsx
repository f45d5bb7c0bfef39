// A redacted copy of the playback video for sharing outside the audit office: the server blurs the
// applicant's tile around each ID snapshot (there is no ID-card detection yet) as a job; the MP4
// then downloads like an evidence package.
import { api } from '../api/http.js';
import { useI18n } from '../i18n/i18n.js';
import type { EvidenceJob } from '../api/types.js';
import { JobOutcome, useJobDownload } from './EvidenceExport.js';

export function RedactedVideoExport({ recordId, fileName }: { recordId: string; fileName: string }) {
  const { t } = useI18n();
  const job = useJobDownload({
    start: () => api<EvidenceJob>(`/api/records/${recordId}/redacted-video`, { method: 'POST', body: {} }),
    fileOf: (job) => `/api/evidence-jobs/${job.id}/video.mp4`,
    fileName,
    building: t('redact.building'),
    downloading: t('redact.downloading'),
  });
  return (
    <div className="stack" data-testid="redacted-export">
      <p className="muted small">{t('redact.hint')}</p>
      <button
        type="button"
        data-testid="redacted-export-start"
        disabled={job.run.busy}
        onClick={() => void job.run.run()}
      >
        {job.run.busy ? t('audit.exporting') : t('redact.start')}
      </button>
      <JobOutcome job={job} fileName={fileName} testIds={{ progress: 'redacted-progress', done: 'redacted-done' }} />
    </div>
  );
}
