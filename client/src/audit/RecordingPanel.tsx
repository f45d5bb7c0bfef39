// The session's recording with its integrity badge (hash chain and sealed manifest checked).
import { useI18n } from '../i18n/i18n.js';
import type { RecordingVerification } from './types.js';

export function RecordingPanel({ sessionId, check }: { sessionId: string; check: RecordingVerification | null }) {
  const { t } = useI18n();
  const valid = check?.valid === true;
  return (
    <section className="card" aria-labelledby="recording-title">
      <div className="case-head">
        <h2 id="recording-title">{t('audit.recording')}</h2>
        <span className={`badge ${valid ? 'valid' : 'invalid'}`} data-testid="recording-integrity" data-valid={String(valid)}>
          {valid ? t('audit.recordingIntact') : check?.status === 'missing' || !check ? t('audit.recordingMissing') : t('audit.recordingBroken')}
        </span>
      </div>
      {check && (
        <p className="small">
          {t('audit.recordingFacts', { segments: check.segmentCount, seal: check.seal?.state ?? '—' })}
          {check.head && <span className="mono break"> · {check.head.slice(0, 16)}…</span>}
        </p>
      )}
      {check && check.problems.length > 0 && (
        <ul className="problems">
          {check.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {check && check.status !== 'missing' && (
        <>
          <video className="playback" controls preload="metadata" src={`/api/sessions/${sessionId}/recording`} aria-label={t('audit.recording')} />
          <p className="muted small">{t('audit.recordingHint')}</p>
        </>
      )}
    </section>
  );
}
