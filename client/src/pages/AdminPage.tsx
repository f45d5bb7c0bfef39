// Platform administration: sites, partnerships (通办协议), accounts and certificates.
import { useState, type FormEvent } from 'react';
import { api } from '../api/http.js';
import type { Matter, Partnership, Role, Site, User } from '../api/types.js';
import { CertificatesPanel } from '../admin/CertificatesPanel.js';
import { ScriptsPanel } from '../admin/ScriptsPanel.js';
import { ErrorAlert, Loading } from '../components/Alert.js';
import { DataTable, SiteOptions } from '../components/DataTable.js';
import { AppShell } from '../components/AppShell.js';
import { useAction, useAsync } from '../components/useAsync.js';
import { roleKey } from '../format.js';
import { useI18n } from '../i18n/i18n.js';

export function AdminPage() {
  const { t, lang } = useI18n();
  const catalog = useAsync(async (signal) => {
    const [s, p, m] = await Promise.all([
      api<{ sites: Site[] }>('/api/sites', { signal }),
      api<{ partnerships: Partnership[] }>('/api/partnerships', { signal }),
      api<{ matters: Matter[] }>('/api/matters', { signal }),
    ]);
    return { sites: s.sites, partnerships: p.partnerships, matters: m.matters };
  }, []);
  const siteName = (id: string | null) => {
    const s = catalog.data?.sites.find((x) => x.id === id);
    return s ? (lang === 'zh' ? s.name : s.nameEn) : (id ?? '—');
  };
  return (
    <AppShell wide>
      <div className="page-title">
        <h1>{t('admin.title')}</h1>
      </div>
      <ErrorAlert error={catalog.error} />
      {!catalog.data ? (
        <Loading />
      ) : (
        <div className="split even">
          <div className="stack">
            <section className="card" aria-labelledby="sites-title">
              <h2 id="sites-title">{t('admin.sites')}</h2>
              <DataTable compact headers={['ID', t('admin.name'), t('admin.region')]}>
                {catalog.data.sites.map((s) => (
                  <tr key={s.id}>
                    <td className="mono">{s.id}</td>
                    <td>{lang === 'zh' ? s.name : s.nameEn}</td>
                    <td>{s.region}</td>
                  </tr>
                ))}
              </DataTable>
            </section>
            <section className="card" aria-labelledby="partnerships-title">
              <h2 id="partnerships-title">{t('admin.partnerships')}</h2>
              <ul className="partnerships">
                {catalog.data.partnerships.map((p) => (
                  <li key={p.id}>
                    <strong>{p.name}</strong> <span className="badge">{p.kind}</span>
                    <div className="muted small">{p.sites.map(siteName).join(' · ')}</div>
                    <div className="small">{t('admin.matterCount', { n: p.matters.length, date: p.signedOn })}</div>
                  </li>
                ))}
              </ul>
            </section>
            <ScriptsPanel matters={catalog.data.matters} />
          </div>
          <div className="stack">
            <UsersPanel sites={catalog.data.sites} siteName={siteName} />
            <CertificatesPanel />
          </div>
        </div>
      )}
    </AppShell>
  );
}

const roles: Role[] = ['clerk', 'official', 'auditor', 'admin'];

function UsersPanel({ sites, siteName }: { sites: Site[]; siteName: (id: string | null) => string }) {
  const { t } = useI18n();
  const users = useAsync((signal) => api<{ users: User[] }>('/api/admin/users', { signal }), []);
  const [form, setForm] = useState({ username: '', displayName: '', role: 'clerk' as Role, siteId: '', password: '' });
  const create = useAction(async () => {
    await api('/api/admin/users', { method: 'POST', body: { ...form, siteId: form.siteId || null } });
    setForm((f) => ({ ...f, username: '', displayName: '', password: '' }));
    users.reload();
  });
  const toggle = useAction(async (u: User) => {
    await api(`/api/admin/users/${u.id}/${u.disabled ? 'enable' : 'disable'}`, { method: 'POST' });
    users.reload();
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create.run();
  };
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));
  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">{t('admin.users')}</h2>
      <ErrorAlert error={users.error ?? toggle.error} />
      {users.loading && !users.data && <Loading />}
      {users.data && (
        <DataTable compact headers={[t('admin.account'), t('admin.name'), t('admin.role'), t('admin.site'), '']}>
          {users.data.users.map((u) => (
            <tr key={u.id} className={u.disabled ? 'disabled' : ''}>
              <td className="mono">{u.username}</td>
              <td>{u.displayName}</td>
              <td>{t(roleKey(u.role))}</td>
              <td>{u.siteId ? siteName(u.siteId) : '—'}</td>
              <td>
                <button type="button" className="small" disabled={toggle.busy} onClick={() => void toggle.run(u)}>
                  {u.disabled ? t('admin.enable') : t('admin.disable')}
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <form className="form grid2" onSubmit={submit} aria-label={t('admin.newUser')}>
        <h3>{t('admin.newUser')}</h3>
        <label>
          {t('admin.account')}
          <input required pattern="[a-z0-9][a-z0-9._\-]{0,63}" value={form.username} onChange={set('username')} />
        </label>
        <label>
          {t('admin.name')}
          <input required maxLength={64} value={form.displayName} onChange={set('displayName')} />
        </label>
        <label>
          {t('admin.role')}
          <select value={form.role} onChange={set('role')}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {t(roleKey(r))}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('admin.site')}
          <select value={form.siteId} onChange={set('siteId')}>
            <SiteOptions sites={sites} none="—" />
          </select>
        </label>
        <label>
          {t('admin.password')}
          <input
            required
            type="password"
            minLength={10}
            autoComplete="new-password"
            value={form.password}
            onChange={set('password')}
          />
        </label>
        <ErrorAlert error={create.error} />
        <button type="submit" className="primary" disabled={create.busy}>
          {t('admin.create')}
        </button>
      </form>
    </section>
  );
}
