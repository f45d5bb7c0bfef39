// The record's timeline over the playback video: a strip with a tick per mark and, below, the marks
// as a list of buttons (Tab to reach, arrow keys to move, Enter to seek). Any kind the server adds
// later (script prompts, materials) shows with its own label and no change here.
import { useRef } from 'react';
import type { KeyboardEvent } from 'react';
import { useI18n } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/zh.js';
import type { TimelineMark } from '../api/types.js';
import { roleKey } from '../format.js';

/** m:ss of an offset; before the recording began it reads as a negative time. */
export function clockOf(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  return `${ms < 0 && s > 0 ? '−' : ''}${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function TimelineMarks({
  marks,
  durationMs,
  onSeek,
}: {
  marks: readonly TimelineMark[];
  durationMs: number;
  onSeek: (offsetMs: number) => void;
}) {
  const { t } = useI18n();
  const list = useRef<HTMLOListElement>(null);
  const move = (e: KeyboardEvent<HTMLButtonElement>) => {
    const step =
      e.key === 'ArrowDown' || e.key === 'ArrowRight' ? 1 : e.key === 'ArrowUp' || e.key === 'ArrowLeft' ? -1 : 0;
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    if (!step && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const at = buttons.indexOf(e.currentTarget);
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? buttons.length - 1 : at + step;
    buttons[Math.max(0, Math.min(buttons.length - 1, next))]?.focus();
  };
  if (marks.length === 0) return <p className="muted small">{t('timeline.empty')}</p>;
  const span = Math.max(1, durationMs);
  const label = (m: TimelineMark) => t(`timeline.kind.${m.kind}` as MessageKey);
  return (
    <div className="record-timeline">
      <div className="timeline-strip" aria-hidden="true">
        {marks.map((m, i) => (
          <span
            key={i}
            className={`tick tick-${m.kind}`}
            style={{ left: `${(Math.min(span, Math.max(0, m.offsetMs)) / span) * 100}%` }}
            title={`${clockOf(m.offsetMs)} ${label(m)}`}
          />
        ))}
      </div>
      <ol className="timeline-marks" ref={list} aria-label={t('timeline.title')} data-testid="timeline-marks">
        {marks.map((m, i) => (
          <li key={i}>
            <button
              type="button"
              data-testid="timeline-mark"
              data-kind={m.kind}
              data-offset-ms={m.offsetMs}
              onClick={() => onSeek(Math.max(0, m.offsetMs))}
              onKeyDown={move}
            >
              <time className="mono">{clockOf(m.offsetMs)}</time> <strong>{label(m)}</strong>
              {m.who && (
                <span>
                  {' '}
                  · {m.who}
                  {m.role && `（${t(roleKey(m.role))}）`}
                </span>
              )}
              {m.detail && <small className="muted"> · {m.detail}</small>}
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}
