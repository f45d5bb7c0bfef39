// Materials (issue 15 §4): the originating clerk adds the applicant's papers during the session, as a
// file (JPEG, PNG, PDF; the server checks the content) or as a frame from a camera in the room
// (taken by the server from the recording). Each is chained into the recording.
import { useEffect, useState } from 'react';
import { api, upload } from '../api/http.js';
import type { Material, Participant } from '../api/types.js';
import { ErrorAlert } from '../components/Alert.js';
import { useAction } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';

export function MaterialsPanel({
  caseId,
  participants,
  me,
}: {
  caseId: string;
  participants: readonly Participant[];
  me: string;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [camera, setCamera] = useState(`user:${me}`);
  const [materials, setMaterials] = useState<Material[]>([]);
  useEffect(() => {
    void api<{ materials: Material[] }>(`/api/cases/${caseId}/materials`)
      .then((r) => setMaterials(r.materials))
      .catch(() => undefined);
  }, [caseId]);
  const add = (m: Material) => {
    setMaterials((list) => [...list, m]);
    setName('');
  };
  const send = useAction(async () => {
    const form = new FormData();
    form.append('name', name.trim());
    form.append('file', file!);
    add(await upload<Material>(`/api/cases/${caseId}/materials`, form));
    setFile(null);
  });
  const snap = useAction(async () => {
    const body = { name: name.trim(), participantId: camera };
    add(await api<Material>(`/api/cases/${caseId}/materials/camera`, { method: 'POST', body }));
  });
  const busy = send.busy || snap.busy;
  return (
    <section className="card panel" aria-labelledby="materials-title" data-testid="materials-panel">
      <h2 id="materials-title">{t('material.title')}</h2>
      <label>
        {t('material.name')}
        <input data-testid="material-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        {t('material.file')}
        <input
          type="file"
          data-testid="material-file"
          accept="image/jpeg,image/png,application/pdf"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
      </label>
      <div className="actions">
        <button
          type="button"
          data-testid="material-upload"
          disabled={busy || !name.trim() || !file}
          onClick={() => void send.run()}
        >
          {t('material.upload')}
        </button>
        <select aria-label={t('material.cameraOf')} value={camera} onChange={(e) => setCamera(e.target.value)}>
          {participants.map((p) => (
            <option key={p.participantId} value={p.participantId}>
              {p.displayName}
            </option>
          ))}
        </select>
        <button
          type="button"
          data-testid="material-camera"
          disabled={busy || !name.trim()}
          onClick={() => void snap.run()}
        >
          {t('material.camera')}
        </button>
      </div>
      <ErrorAlert error={send.error ?? snap.error} />
      {materials.length === 0 ? (
        <p className="muted small">{t('material.none')}</p>
      ) : (
        <ul className="small">
          {materials.map((m) => (
            <li key={m.id} data-testid="material-item">
              {m.name} · {m.mediaType} · {m.bytes} B · #{m.chainIndex}{' '}
              <span className="mono">{m.sha256.slice(0, 12)}…</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
