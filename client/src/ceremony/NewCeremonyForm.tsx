// A host starts a 远程云签约 ceremony: the agreement PDF (uploaded with progress), the signers in
// order and the witnesses, by account name.
import { useState, type FormEvent } from 'react';
import { upload } from '../api/http.js';
import { ErrorAlert } from '../components/Alert.js';
import { Progress } from '../components/Progress.js';
import { useAction } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';
import { navigate } from '../router.js';

const names = (text: string) =>
  text
    .split(/[\s,，、]+/)
    .map((s) => s.trim())
    .filter(Boolean);

export function NewCeremonyForm() {
  const { t } = useI18n();
  const [title, setTitle] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [signers, setSigners] = useState('');
  const [witnesses, setWitnesses] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const create = useAction(async () => {
    const form = new FormData();
    form.append('title', title.trim());
    form.append('signers', JSON.stringify(names(signers)));
    form.append('witnesses', JSON.stringify(names(witnesses)));
    form.append('agreement', file!, file!.name);
    setProgress(0);
    try {
      const r = await upload<{ id: string }>('/api/ceremonies', form, setProgress);
      navigate(`/ceremony/${r.id}`);
    } finally {
      setProgress(null);
    }
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create.run();
  };
  return (
    <form className="form" onSubmit={submit} aria-labelledby="new-ceremony-title">
      <h2 id="new-ceremony-title">{t('ceremony.new')}</h2>
      <label>
        {t('ceremony.titleField')}
        <input
          data-testid="ceremony-title"
          required
          maxLength={200}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
      </label>
      <label>
        {t('ceremony.agreement')}
        <input
          data-testid="ceremony-file"
          type="file"
          accept="application/pdf"
          required
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
      </label>
      <label>
        {t('ceremony.signers')}
        <textarea
          data-testid="ceremony-signers"
          required
          rows={3}
          value={signers}
          onChange={(e) => setSigners(e.target.value)}
          placeholder="official.ninghai, official.jiaojiang"
        />
        <small className="muted">{t('ceremony.signersHint')}</small>
      </label>
      <label>
        {t('ceremony.witnesses')}
        <input data-testid="ceremony-witnesses" value={witnesses} onChange={(e) => setWitnesses(e.target.value)} />
      </label>
      {progress !== null && <Progress label={t('ceremony.uploading')} fraction={progress} />}
      <ErrorAlert error={create.error} />
      <button type="submit" className="primary" data-testid="ceremony-create" disabled={create.busy || !file}>
        {create.busy ? t('common.working') : t('ceremony.create')}
      </button>
    </form>
  );
}
