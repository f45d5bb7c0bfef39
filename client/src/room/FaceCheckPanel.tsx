// The handling clerk's face match and liveness advice (issue 15 §3): the server compares the face
// and ID snapshots, or prompts the applicant and watches the recorded video; the panel shows the
// score, threshold and pass/doubt label as advice, and the clerk records an own decision on each.
import { useEffect, useState } from 'react';
import { api } from '../api/http.js';
import type { FaceCheck, LivenessPrompt } from '../api/types.js';
import { ErrorAlert } from '../components/Alert.js';
import { Progress } from '../components/Progress.js';
import { useAction } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';

const labelClass = { pass: 'valid', doubt: 'warn', no_face: 'invalid' } as const;

export function FaceCheckPanel({ caseId, confirmed }: { caseId: string; confirmed: boolean }) {
  const { t } = useI18n();
  const [checks, setChecks] = useState<FaceCheck[]>([]);
  const put = (c: FaceCheck) => setChecks((list) => [...list.filter((x) => x.id !== c.id), c]);

  useEffect(() => {
    const ac = new AbortController();
    api<{ checks: FaceCheck[] }>(`/api/cases/${caseId}/face-checks`, { signal: ac.signal })
      .then((r) => setChecks(r.checks))
      .catch(() => undefined);
    return () => ac.abort();
  }, [caseId]);

  const run = useAction(async (what: 'match' | LivenessPrompt) => {
    const r =
      what === 'match'
        ? await api<FaceCheck>(`/api/cases/${caseId}/face-match`, { method: 'POST' })
        : await api<FaceCheck>(`/api/cases/${caseId}/liveness`, { method: 'POST', body: { prompt: what } });
    put(r);
  });
  const decide = useAction(async (checkId: string, decision: 'accepted' | 'rejected') => {
    put(
      await api<FaceCheck>(`/api/cases/${caseId}/face-checks/${checkId}/decision`, {
        method: 'POST',
        body: { decision },
      }),
    );
  });

  const busy = run.busy || confirmed;
  return (
    <section className="card panel" aria-labelledby="face-title" data-testid="face-panel">
      <h2 id="face-title">{t('face.title')}</h2>
      <p className="muted small">{t('face.advice')}</p>
      <div className="actions">
        <button type="button" data-testid="face-match" disabled={busy} onClick={() => void run.run('match')}>
          {t('face.match')}
        </button>
        <button type="button" data-testid="liveness-turn" disabled={busy} onClick={() => void run.run('turn_head')}>
          {t('face.runTurn')}
        </button>
        <button type="button" data-testid="liveness-blink" disabled={busy} onClick={() => void run.run('blink')}>
          {t('face.runBlink')}
        </button>
      </div>
      {run.busy && <Progress label={t('face.running')} fraction={null} />}
      <ErrorAlert error={run.error} />
      <ErrorAlert error={decide.error} />
      {checks.length > 0 && (
        <ol className="face-checks">
          {checks.map((c) => (
            <li key={c.id} data-testid="face-check">
              <strong>{t(c.kind === 'match' ? 'face.kind.match' : 'face.kind.liveness')}</strong>
              {c.prompt && <> · {t(`face.prompt.${c.prompt}`)}</>}{' '}
              <span className={`badge ${labelClass[c.label]}`} data-testid="face-label">
                {t(`face.label.${c.label}`)}
              </span>
              <br />
              <small>
                {t('face.score')} <span data-testid="face-score">{c.score ?? '—'}</span> · {t('face.threshold')}{' '}
                {c.threshold} · {t('face.time')} {c.analysisMs} ms · #{c.chainIndex}
                <br />
                {t('face.model')} {c.model}
              </small>
              <div className="actions">
                {c.decision ? (
                  <span className="badge" data-testid="face-decision">
                    {t(`face.decision.${c.decision.decision}`)}
                  </span>
                ) : (
                  <>
                    <button
                      type="button"
                      data-testid="face-accept"
                      disabled={decide.busy || confirmed}
                      onClick={() => void decide.run(c.id, 'accepted')}
                    >
                      {t('face.accept')}
                    </button>
                    <button
                      type="button"
                      data-testid="face-reject"
                      disabled={decide.busy || confirmed}
                      onClick={() => void decide.run(c.id, 'rejected')}
                    >
                      {t('face.reject')}
                    </button>
                  </>
                )}
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
