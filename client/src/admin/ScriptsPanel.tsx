// Admins edit each matter's 意愿确认 script (issue 15 §1): the steps of the current version, saved as
// a new version (older versions stay on the server, and cases keep the version they ran).
import { useEffect, useState } from 'react';
import { api } from '../api/http.js';
import type { Matter, MatterScript, ScriptStep } from '../api/types.js';
import { ErrorAlert } from '../components/Alert.js';
import { useAction, useAsync } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';

const blank: ScriptStep = { kind: 'question', text: '', expected: 'yes' };

export function ScriptsPanel({ matters }: { matters: readonly Matter[] }) {
  const { t, lang } = useI18n();
  const [matterId, setMatterId] = useState(matters[0]?.id ?? '');
  const scripts = useAsync(
    (signal) =>
      api<{ current: MatterScript | null; versions: MatterScript[] }>(`/api/matters/${matterId}/scripts`, { signal }),
    [matterId],
  );
  const [steps, setSteps] = useState<ScriptStep[]>([]);
  useEffect(() => setSteps(scripts.data?.current?.steps ?? []), [scripts.data]);
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  const save = useAction(async () => {
    const saved = await api<MatterScript>(`/api/matters/${matterId}/scripts`, { method: 'POST', body: { steps } });
    setSavedVersion(saved.version);
    scripts.reload();
  });
  const change = (i: number, patch: Partial<ScriptStep>) =>
    setSteps((list) => list.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const current = scripts.data?.current;
  return (
    <section className="card" aria-labelledby="scripts-title" data-testid="admin-scripts">
      <h2 id="scripts-title">{t('admin.scripts')}</h2>
      <label>
        {t('admin.scriptMatter')}
        <select data-testid="script-matter" value={matterId} onChange={(e) => setMatterId(e.target.value)}>
          {matters.map((m) => (
            <option key={m.id} value={m.id}>
              {lang === 'zh' ? m.name : m.nameEn}
            </option>
          ))}
        </select>
      </label>
      <p className="muted small" data-testid="script-version">
        {current
          ? t('admin.scriptVersion', { v: current.version, n: scripts.data?.versions.length ?? 0 })
          : t('admin.scriptNoVersion')}
      </p>
      <p className="muted small">{t('admin.scriptPlaceholders')}</p>
      <ErrorAlert error={scripts.error ?? save.error} />
      <ol className="stack">
        {steps.map((s, i) => (
          <li key={i} data-testid="script-step">
            <select
              aria-label="kind"
              value={s.kind}
              onChange={(e) => change(i, { kind: e.target.value as ScriptStep['kind'] })}
            >
              <option value="statement">{t('script.statement')}</option>
              <option value="question">{t('script.question')}</option>
            </select>
            <select
              aria-label={t('script.expected')}
              value={s.expected}
              onChange={(e) => change(i, { expected: e.target.value as ScriptStep['expected'] })}
            >
              <option value="yes">{t('script.yes')}</option>
              <option value="no">{t('script.no')}</option>
            </select>
            <textarea
              data-testid="script-step-text"
              rows={2}
              maxLength={500}
              value={s.text}
              onChange={(e) => change(i, { text: e.target.value })}
            />
            <button type="button" onClick={() => setSteps((list) => list.filter((_, j) => j !== i))}>
              {t('admin.scriptRemove')}
            </button>
          </li>
        ))}
      </ol>
      <div className="actions">
        <button type="button" data-testid="script-add-step" onClick={() => setSteps((list) => [...list, blank])}>
          {t('admin.scriptAddStep')}
        </button>
        <button
          type="button"
          className="primary"
          data-testid="script-save"
          disabled={save.busy || steps.length === 0 || steps.some((s) => !s.text.trim())}
          onClick={() => void save.run()}
        >
          {t('admin.scriptSave')}
        </button>
      </div>
      {savedVersion !== null && !save.busy && (
        <p className="alert ok" role="status" data-testid="script-saved">
          {t('admin.scriptSaved', { v: savedVersion })}
        </p>
      )}
    </section>
  );
}
