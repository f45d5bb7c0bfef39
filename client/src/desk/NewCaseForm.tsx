// Opening a case: the partner site and matter come from the partnerships (通办协议) of the clerk's
// site. The ID number goes to the server once and is never shown again (the server keeps a masked
// form and a keyed hash).
import { useMemo, useState, type FormEvent } from 'react';
import { api } from '../api/http.js';
import type { CaseSummary, Matter, Partnership, Site } from '../api/types.js';
import { ErrorAlert, Loading } from '../components/Alert.js';
import { useAction, useAsync } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';

interface Catalog {
  sites: Site[];
  partnerships: Partnership[];
  matters: Matter[];
}

export function NewCaseForm({ siteId, onCreated }: { siteId: string; onCreated: (caseId: string) => void }) {
  const { t, lang } = useI18n();
  const catalog = useAsync<Catalog>(async (signal) => {
    const [s, p, m] = await Promise.all([
      api<{ sites: Site[] }>('/api/sites', { signal }),
      api<{ partnerships: Partnership[] }>('/api/partnerships', { signal }),
      api<{ matters: Matter[] }>('/api/matters', { signal }),
    ]);
    return { sites: s.sites, partnerships: p.partnerships, matters: m.matters };
  }, []);
  const [partner, setPartner] = useState('');
  const [matterId, setMatterId] = useState('');
  const [name, setName] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [phone, setPhone] = useState('');

  const mine = useMemo(
    () => catalog.data?.partnerships.filter((p) => p.sites.includes(siteId)) ?? [],
    [catalog.data, siteId],
  );
  const partnerSites = useMemo(() => {
    const ids = new Set(mine.flatMap((p) => p.sites).filter((s) => s !== siteId));
    return catalog.data?.sites.filter((s) => ids.has(s.id)) ?? [];
  }, [catalog.data, mine, siteId]);
  const matters = useMemo(() => {
    const ids = new Set(mine.filter((p) => p.sites.includes(partner)).flatMap((p) => p.matters));
    return catalog.data?.matters.filter((m) => ids.has(m.id)) ?? [];
  }, [catalog.data, mine, partner]);

  const create = useAction(async () => {
    const body = {
      matterId,
      handlingSite: partner,
      applicant: {
        name: name.trim(),
        idNumber: idNumber.trim().toUpperCase(),
        ...(phone.trim() ? { phone: phone.trim() } : {}),
      },
    };
    const created = await api<Pick<CaseSummary, 'id'>>('/api/cases', { method: 'POST', body });
    setIdNumber('');
    setName('');
    setPhone('');
    onCreated(created.id);
  });

  if (catalog.loading && !catalog.data) return <Loading />;
  if (catalog.error) return <ErrorAlert error={catalog.error} />;
  const label = (x: { name: string; nameEn: string }) => (lang === 'zh' ? x.name : x.nameEn);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create.run();
  };
  return (
    <form className="form" onSubmit={submit} aria-labelledby="new-case-title">
      <h2 id="new-case-title">{t('desk.newCase')}</h2>
      <label>
        {t('desk.partnerSite')}
        <select
          data-testid="case-partner"
          required
          value={partner}
          onChange={(e) => (setPartner(e.target.value), setMatterId(''))}
        >
          <option value="">{t('common.choose')}</option>
          {partnerSites.map((s) => (
            <option key={s.id} value={s.id}>
              {label(s)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('desk.matter')}
        <select
          data-testid="case-matter"
          required
          value={matterId}
          disabled={!partner}
          onChange={(e) => setMatterId(e.target.value)}
        >
          <option value="">{partner ? t('common.choose') : t('desk.choosePartnerFirst')}</option>
          {matters.map((m) => (
            <option key={m.id} value={m.id}>
              {label(m)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('desk.applicantName')}
        <input
          data-testid="case-applicant-name"
          required
          maxLength={64}
          autoComplete="off"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <label>
        {t('desk.idNumber')}
        <input
          data-testid="case-id-number"
          required
          type="password"
          inputMode="text"
          autoComplete="off"
          pattern="\d{17}[\dXx]"
          maxLength={18}
          title={t('desk.idNumberHint')}
          value={idNumber}
          onChange={(e) => setIdNumber(e.target.value)}
        />
        <small className="muted">{t('desk.idNumberHint')}</small>
      </label>
      <label>
        {t('desk.phone')}
        <input
          data-testid="case-phone"
          type="tel"
          autoComplete="off"
          maxLength={20}
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
        />
      </label>
      <ErrorAlert error={create.error} />
      <button data-testid="case-create" type="submit" className="primary" disabled={create.busy}>
        {create.busy ? t('common.working') : t('desk.create')}
      </button>
    </form>
  );
}
