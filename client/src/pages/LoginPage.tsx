// Password login; on success the user goes to the page of their role.
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/http.js';
import { ErrorAlert } from '../components/Alert.js';
import { useAction } from '../components/useAsync.js';
import { AppShell } from '../components/AppShell.js';
import { useI18n } from '../i18n/i18n.js';
import { navigate } from '../router.js';
import { homeOf, useSession } from '../session.js';

export function LoginPage() {
  const { t } = useI18n();
  const { refresh } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useAction(async () => {
    await api('/api/auth/login', { method: 'POST', body: { username: username.trim(), password } });
    const me = await refresh();
    if (me) navigate(homeOf(me));
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void login.run();
  };
  return (
    <AppShell>
      <section className="card login-card">
        <h1>{t('login.title')}</h1>
        <p className="muted">{t('login.hint')}</p>
        <form onSubmit={submit} className="form">
          <label>
            {t('login.username')}
            <input
              data-testid="login-username"
              autoComplete="username"
              autoFocus
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </label>
          <label>
            {t('login.password')}
            <input
              data-testid="login-password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          {login.error instanceof ApiError && login.error.status === 401 ? (
            <p className="alert error" role="alert" data-testid="login-error">
              {t('login.failed')}
            </p>
          ) : (
            <ErrorAlert error={login.error} />
          )}
          <button data-testid="login-submit" type="submit" className="primary" disabled={login.busy}>
            {login.busy ? t('login.busy') : t('login.submit')}
          </button>
        </form>
      </section>
    </AppShell>
  );
}
