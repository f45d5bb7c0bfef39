// The frame of every signed-in page: service name, navigation for the role, the user, language.
import type { ReactNode } from 'react';
import { useI18n, setLang, type MessageKey } from '../i18n/i18n.js';
import { navigate, usePath } from '../router.js';
import { useSession } from '../session.js';

const account = { path: '/account', label: 'nav.account' } as const;
const navByRole: Record<string, { path: string; label: MessageKey }[]> = {
  clerk: [{ path: '/desk', label: 'nav.desk' }, { path: '/ceremony', label: 'nav.ceremony' }, account],
  official: [{ path: '/ceremony', label: 'nav.ceremony' }, account],
  auditor: [
    { path: '/audit', label: 'nav.audit' },
    { path: '/retention', label: 'nav.retention' },
    { path: '/stats', label: 'nav.stats' },
    account,
  ],
  admin: [
    { path: '/admin', label: 'nav.admin' },
    { path: '/audit', label: 'nav.audit' },
    { path: '/retention', label: 'nav.retention' },
    { path: '/stats', label: 'nav.stats' },
    account,
  ],
};

export function AppShell({ children, wide }: { children: ReactNode; wide?: boolean }) {
  const { t, lang } = useI18n();
  const { me, logout } = useSession();
  const path = usePath();
  // While a forced password change is pending every page is the change form: no navigation.
  const items = me?.kind === 'user' && !me.mustChangePassword ? (navByRole[me.role] ?? []) : [];
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            通
          </span>
          <span>
            <strong>{t('app.name')}</strong>
            <small>{t('app.tagline')}</small>
          </span>
        </div>
        {items.length > 0 && (
          <nav aria-label={t('nav.label')}>
            {items.map((i) => (
              <a
                key={i.path}
                href={i.path}
                aria-current={path.startsWith(i.path) ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(i.path);
                }}
              >
                {t(i.label)}
              </a>
            ))}
          </nav>
        )}
        <div className="topbar-end">
          {me && (
            <span className="who">
              {me.displayName}
              {me.kind === 'user' && me.site && <small>{me.site.name}</small>}
            </span>
          )}
          <button
            type="button"
            className="ghost"
            onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
            lang={lang === 'zh' ? 'en' : 'zh-CN'}
          >
            {lang === 'zh' ? 'English' : '中文'}
          </button>
          {me?.kind === 'user' && (
            <button
              type="button"
              className="ghost"
              onClick={() => {
                void logout().then(() => navigate('/'));
              }}
            >
              {t('nav.logout')}
            </button>
          )}
        </div>
      </header>
      <main id="main" className={wide ? 'page wide' : 'page'}>
        {children}
      </main>
    </div>
  );
}
