// The session's recording with its integrity badge (hash chain and sealed manifest checked).
import { api } from '../api/http.js';
import { ErrorAlert, Loading } from '../components/Alert.js';
import { useAsync } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';
import type { RecordingVerification } from './types.js';

export function RecordingPanel({ sessionId }: { sessionId: string }) {
  const { t } = useI18n();
  const check = useAsync((signal) => api<RecordingVerification>(`/api/sessions/${sessionId}/recording/verification`, { signal }), [sessionId]);
  return (
    <section className="card" aria-labelledby="recording-title">
      <div className="case-head">
        <h2 id="recording-title">{t('audit.recording')}</h2>
        {check.data && (
          <span className={`badge ${check.data.valid ? 'valid' : 'invalid'}`} data-testid="recording-integrity" data-valid={String(check.data.valid)}>
            {check.data.valid ? t('audit.recordingIntact') : t('audit.recordingBroken')}
          </span>
        )}
      </div>
      {check.loading && !check.data && <Loading label={t('audit.verifying')} />}
      <ErrorAlert error={check.error} />
      {check.data?.problems && check.data.problems.length > 0 && (
        <ul className="problems">
          {check.data.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <video className="playback" controls preload="metadata" src={`/api/sessions/${sessionId}/recording`} aria-label={t('audit.recording')} />
      <p className="muted small">{t('audit.recordingHint')}</p>
    </section>
  );
}
