// The session's recording: its integrity badge (segment hashes, hash chain, sealed manifest), who
// was recorded and for how long, and playback of the composite video once the server offers it
// (with its rendering progress until then), marked with the record's timeline: a mark seeks the video.
import { useRef } from 'react';
import { api } from '../api/http.js';
import { Progress } from '../components/Progress.js';
import { useAsync } from '../components/useAsync.js';
import { formatTime, roleKey } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import type { RecordingInfo, RecordingIntegrity, RecordTimeline } from '../api/types.js';
import { RedactedVideoExport } from './RedactedVideoExport.js';
import { TimelineMarks } from './TimelineMarks.js';

export function RecordingPanel({
  sessionId,
  check,
  record,
}: {
  sessionId: string;
  check: RecordingIntegrity | null;
  /** The archived record the recording belongs to: its timeline marks and the redacted export. */
  record?: { readonly id: string; readonly number: string };
}) {
  const { t, lang } = useI18n();
  const info = useAsync(
    (signal) => api<RecordingInfo>(`/api/sessions/${sessionId}/recording`, { signal }),
    [sessionId],
  );
  const timeline = useAsync(
    (signal) =>
      record ? api<RecordTimeline>(`/api/records/${record.id}/timeline`, { signal }) : Promise.resolve(null),
    [record?.id],
  );
  const video = useRef<HTMLVideoElement>(null);
  const seek = (offsetMs: number) => {
    const v = video.current;
    if (!v) return;
    // Focus stays on the mark, so the list can be walked on with the keyboard.
    v.currentTime = offsetMs / 1000;
  };
  const valid = check?.valid === true;
  const rec = info.data;
  const seconds = rec ? Math.round(Math.max(0, ...rec.segments.map((s) => s.endMs)) / 1000) : 0;
  return (
    <section className="card" aria-labelledby="recording-title">
      <div className="case-head">
        <h2 id="recording-title">{t('audit.recording')}</h2>
        <span
          className={`badge ${valid ? 'valid' : 'invalid'}`}
          data-testid="recording-integrity"
          data-valid={String(valid)}
        >
          {valid
            ? t('audit.recordingIntact')
            : check?.status === 'missing' || !check
              ? t('audit.recordingMissing')
              : t('audit.recordingBroken')}
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
      {rec && (
        <dl className="facts">
          <dt>{t('audit.recordedFrom')}</dt>
          <dd>
            {formatTime(rec.startedAt, lang)} – {formatTime(rec.endedAt, lang)} · {t('audit.seconds', { n: seconds })}
          </dd>
          <dt>{t('audit.recordedPeople')}</dt>
          <dd>{rec.participants.map((p) => `${p.displayName}（${t(roleKey(p.role))}）`).join('、')}</dd>
        </dl>
      )}
      {rec?.composite?.status === 'ready' && rec.composite.url && (
        <video
          ref={video}
          className="playback"
          controls
          preload="metadata"
          src={rec.composite.url}
          aria-label={t('audit.recording')}
          data-testid="playback"
        />
      )}
      {rec?.composite?.status === 'ready' && timeline.data && (
        <>
          <h3>{t('timeline.title')}</h3>
          <TimelineMarks marks={timeline.data.marks} durationMs={timeline.data.durationMs} onSeek={seek} />
          {record && <RedactedVideoExport recordId={record.id} fileName={`redacted-${record.number}.mp4`} />}
        </>
      )}
      {rec?.composite?.status === 'rendering' && (
        <Progress label={t('audit.compositeRendering')} fraction={rec.composite.progress ?? null} />
      )}
      {rec && !rec.composite && <p className="muted small">{t('audit.noPlayback')}</p>}
      {rec?.storage &&
        (rec.storage.pending > 0 ? (
          <Progress
            label={t('audit.storageCopying', { pending: rec.storage.pending })}
            fraction={rec.storage.files / (rec.storage.files + rec.storage.pending)}
          />
        ) : (
          <p className="small" data-testid="recording-storage">
            {t('audit.storageStored', { files: rec.storage.files, mb: (rec.storage.bytes / 1e6).toFixed(1) })}
          </p>
        ))}
      <p className="muted small">{t('audit.recordingHint')}</p>
    </section>
  );
}
