// Scripted 意愿确认 (issue 15 §1). The handling clerk's panel: start, then mark each answer 是 / 否 /
// 重复 while the prompt shows on the applicant's screen; the table shows every step with its answer
// and recording offset, and lets the clerk ask an answered step again to correct its answer. The applicant's card: the current prompt, large (phone-sized too).
import { api } from '../api/http.js';
import type { ScriptRunState } from '../api/types.js';
import { ErrorAlert } from '../components/Alert.js';
import { useAction } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';
import type { ScriptView } from './useScript.js';

export function ScriptPanel({
  caseId,
  state,
  onState,
  confirmed,
}: {
  caseId: string;
  state: ScriptView | null;
  onState: (s: ScriptView) => void;
  /** Once the 确认书 exists, answers can no longer be corrected. */
  confirmed: boolean;
}) {
  const { t } = useI18n();
  const step = useAction(async (path: 'start' | 'answer' | 'reask', body?: object) => {
    onState(await api<ScriptRunState>(`/api/cases/${caseId}/script/${path}`, { method: 'POST', body }));
  });
  if (!state) return null;
  if (state.status === 'none')
    return (
      <section className="card panel">
        <p className="muted">{t('script.none')}</p>
      </section>
    );
  const answerText = (a: 'yes' | 'no' | null) => (a === null ? '—' : t(a === 'yes' ? 'script.yes' : 'script.no'));
  return (
    <section
      className="card panel"
      aria-labelledby="script-title"
      data-testid="script-panel"
      data-status={state.status}
    >
      <h2 id="script-title">
        {t('script.title')}
        {state.version !== null && <small className="muted"> {t('script.version', { v: state.version })}</small>}
      </h2>
      {state.status === 'not_started' && (
        <button
          type="button"
          className="primary block"
          data-testid="script-start"
          disabled={step.busy}
          onClick={() => void step.run('start')}
        >
          {t('script.start')}
        </button>
      )}
      {state.prompt && (
        <div
          className="script-current"
          data-testid="script-current"
          data-step={state.prompt.n}
          data-shown={state.steps[state.prompt.n - 1]?.shown}
          data-expected={state.steps[state.prompt.n - 1]?.expected}
        >
          <p className="muted small">
            {t('script.step', { n: state.prompt.n, total: state.prompt.total })} ·{' '}
            {t(state.prompt.kind === 'statement' ? 'script.statement' : 'script.question')} · {t('script.expected')}{' '}
            {answerText(state.steps[state.prompt.n - 1]?.expected ?? null)}
          </p>
          <p className="script-text">{state.prompt.text}</p>
          <div className="actions">
            {(['yes', 'no', 'repeat'] as const).map((a) => (
              <button
                key={a}
                type="button"
                data-testid={`script-${a}`}
                className={a === 'yes' ? 'primary' : undefined}
                disabled={step.busy}
                onClick={() => void step.run('answer', { answer: a })}
              >
                {t(`script.${a}`)}
              </button>
            ))}
          </div>
        </div>
      )}
      {state.status === 'complete' && (
        <p className="alert ok" role="status" data-testid="script-done">
          {t('script.done')}
        </p>
      )}
      <ErrorAlert error={step.error} />
      <table className="script-table small">
        <thead>
          <tr>
            <th>#</th>
            <th>{t('script.title')}</th>
            <th>{t('script.expected')}</th>
            <th>{t('script.answer')}</th>
            <th>ms</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {state.steps.map((s) => (
            <tr
              key={s.n}
              data-testid="script-row"
              data-answer={s.answer ?? ''}
              data-corrected={s.corrected.length || undefined}
            >
              <td>{s.n}</td>
              <td>{s.text}</td>
              <td>{answerText(s.expected)}</td>
              <td>
                {answerText(s.answer)}
                {s.corrected.map((e) => (
                  <small key={e.chainIndex} className="muted" title={`+${e.offsetMs} ms #${e.chainIndex}`}>
                    {' '}
                    {t('script.corrected', { answer: answerText(e.answer) })}
                  </small>
                ))}
              </td>
              <td className="mono">{s.answerOffsetMs === null ? '' : `+${s.answerOffsetMs}`}</td>
              <td>
                {s.answer !== null && !confirmed && (
                  // A wrongly marked answer: ask the step again (the old answer stays on record).
                  <button
                    type="button"
                    className="ghost"
                    data-testid="script-reask"
                    data-step={s.n}
                    disabled={step.busy}
                    onClick={() => void step.run('reask', { step: s.n })}
                  >
                    {t('script.reask')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** What the applicant sees: the prompt being asked now, large; nothing while no script runs. */
export function ScriptPrompt({ state }: { state: ScriptView | null }) {
  const { t } = useI18n();
  if (!state || state.status === 'none') return null;
  return (
    <section className="card panel script-prompt" aria-live="polite" data-testid="script-prompt">
      <h2>{t('script.title')}</h2>
      {state.prompt ? (
        <>
          <p className="muted">
            {t('script.step', { n: state.prompt.n, total: state.prompt.total })} · {t('script.prompt')}
          </p>
          <p className="script-big" data-testid="script-prompt-text" data-step={state.prompt.n}>
            {state.prompt.text}
          </p>
        </>
      ) : (
        <p className="muted" data-testid="script-prompt-status">
          {state.status === 'complete' ? t('script.done') : t('script.waiting')}
        </p>
      )}
    </section>
  );
}
