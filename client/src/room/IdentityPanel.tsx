// The handling clerk's side of flow A: the checklist, face/ID snapshots (the server takes each frame
// from the applicant's recorded video; nothing is captured or uploaded here), and the identity
// confirmation that produces the document to sign.
import { useState } from 'react';
import { api } from '../api/http.js';
import type { Checklist, ChecklistKey, IdCheck, SnapshotTaken } from '../api/types.js';
import { ErrorAlert } from '../components/Alert.js';
import { Progress } from '../components/Progress.js';
import { useAction } from '../components/useAsync.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { IdCheckAdvice } from './IdCheckAdvice.js';

const checklist: { key: ChecklistKey; label: MessageKey }[] = [
  { key: 'faceVisible', label: 'check.faceVisible' },
  { key: 'idFrontShown', label: 'check.idFrontShown' },
  { key: 'idBackShown', label: 'check.idBackShown' },
  { key: 'statedNameAndPurpose', label: 'check.statedNameAndPurpose' },
];

export function IdentityPanel({
  caseId,
  confirmed,
  onConfirmed,
}: {
  caseId: string;
  confirmed: boolean;
  onConfirmed: (documentId: string) => void;
}) {
  const { t } = useI18n();
  const [checks, setChecks] = useState<Partial<Checklist>>({});
  const [snapshots, setSnapshots] = useState<SnapshotTaken[]>([]);
  const [idCheck, setIdCheck] = useState<IdCheck | null>(null);

  // The server waits for the recording to cover this instant (a few seconds): show it is working.
  const snap = useAction(async (kind: 'face' | 'id') => {
    const r = await api<SnapshotTaken>(`/api/cases/${caseId}/snapshots`, { method: 'POST', body: { kind } });
    setSnapshots((s) => [...s, r]);
    if (kind === 'id') void readId.run(r.id);
  });
  // Every ID snapshot is read by the server (OCR); the merged result is advice for the clerk.
  const readId = useAction(async (snapshotId: string) => {
    await api(`/api/cases/${caseId}/snapshots/${snapshotId}/id-read`, { method: 'POST' });
    setIdCheck(await api<IdCheck>(`/api/cases/${caseId}/id-check`));
  });
  const confirm = useAction(async () => {
    const body: { checklist: Checklist } = {
      checklist: {
        faceVisible: !!checks.faceVisible,
        idFrontShown: !!checks.idFrontShown,
        idBackShown: !!checks.idBackShown,
        statedNameAndPurpose: !!checks.statedNameAndPurpose,
      },
    };
    const r = await api<{ documentId: string }>(`/api/cases/${caseId}/confirm-identity`, { method: 'POST', body });
    onConfirmed(r.documentId);
  });
  const complete = checklist.every((c) => checks[c.key]);

  return (
    <section className="card panel" aria-labelledby="identity-title">
      <h2 id="identity-title">{t('identity.title')}</h2>
      <fieldset className="checklist" disabled={confirmed}>
        <legend>{t('identity.checklist')}</legend>
        {checklist.map((c) => (
          <label key={c.key} className="check">
            <input
              type="checkbox"
              data-testid={`check-${c.key}`}
              checked={Boolean(checks[c.key])}
              onChange={(e) => setChecks((s) => ({ ...s, [c.key]: e.target.checked }))}
            />
            {t(c.label)}
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button
          type="button"
          data-testid="snapshot-face"
          disabled={snap.busy || confirmed}
          onClick={() => void snap.run('face')}
        >
          {t('identity.snapFace')}
        </button>
        <button
          type="button"
          data-testid="snapshot-id"
          disabled={snap.busy || confirmed}
          onClick={() => void snap.run('id')}
        >
          {t('identity.snapId')}
        </button>
      </div>
      {snap.busy && <Progress label={t('identity.uploading')} fraction={null} />}
      <ErrorAlert error={snap.error} />
      {snapshots.length > 0 && (
        <ul className="snapshots" aria-label={t('identity.snapshots')}>
          {snapshots.map((s) => (
            <li key={s.id} data-testid="snapshot-item">
              <img
                src={`/api/cases/${caseId}/snapshots/${s.id}`}
                alt={t(s.kind === 'face' ? 'identity.faceAlt' : 'identity.idAlt')}
              />
              <small>
                {t(s.kind === 'face' ? 'identity.face' : 'identity.id')} · {formatOffset(s.offsetMs)} · #{s.chainIndex}
                <br />
                <span className="mono">{s.sha256.slice(0, 12)}…</span>
              </small>
            </li>
          ))}
        </ul>
      )}
      {readId.busy && <Progress label={t('idcheck.reading')} fraction={null} />}
      <ErrorAlert error={readId.error} />
      {idCheck && <IdCheckAdvice check={idCheck} />}
      <ErrorAlert error={confirm.error} />
      <button
        type="button"
        className="primary block"
        data-testid="confirm-identity"
        disabled={!complete || confirm.busy || confirmed}
        onClick={() => void confirm.run()}
      >
        {confirmed ? t('identity.confirmed') : confirm.busy ? t('identity.rendering') : t('identity.confirm')}
      </button>
      {confirm.busy && <Progress label={t('identity.rendering')} fraction={null} />}
      {!complete && !confirmed && <p className="muted small">{t('identity.completeFirst')}</p>}
    </section>
  );
}

function formatOffset(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
