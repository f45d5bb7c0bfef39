// One's own account (issue 12 §5): the password (forced at the first login when an admin set it),
// and for clerks and officials the signing PIN — chosen with the admin's one-time enrolment code,
// changed with the old one. The admin never sees or sets either.
import { useState, type FormEvent } from 'react';
import { api } from '../api/http.js';
import { ErrorAlert } from '../components/Alert.js';
import { AppShell } from '../components/AppShell.js';
import { useAction } from '../components/useAsync.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { navigate } from '../router.js';
import { homeOf, useSession } from '../session.js';

/** Shown instead of every page while the signed-in user must change the password an admin set. */
export function ForcedPasswordPage() {
  const { t } = useI18n();
  return (
    <AppShell>
      <section className="card login-card" aria-labelledby="forced-title">
        <h1 id="forced-title">{t('account.forcedTitle')}</h1>
        <p className="alert info">{t('account.forcedHint')}</p>
        <PasswordForm forced />
      </section>
    </AppShell>
  );
}

export function AccountPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const signs = me?.kind === 'user' && (me.role === 'clerk' || me.role === 'official');
  return (
    <AppShell>
      <h1>{t('account.title')}</h1>
      <section className="card" aria-labelledby="password-title">
        <h2 id="password-title">{t('account.passwordTitle')}</h2>
        <PasswordForm />
      </section>
      {signs && <EnrolPinForm />}
      {signs && <ChangePinForm />}
    </AppShell>
  );
}

/** What one of the three forms asks: a first field (the current secret, or the enrolment code), then a new secret twice. */
interface SecretChange {
  readonly testId: string;
  readonly first: { label: MessageKey; autoComplete: string; secret: boolean };
  readonly next: { label: MessageKey; again: MessageKey; pin: boolean };
  readonly submit: MessageKey;
  /** Sends the change; returns the text shown once it is done. */
  readonly send: (first: string, next: string) => Promise<string>;
}

/** A form for one SecretChange: the new secret must be entered the same twice; fields clear when done. */
function SecretChangeForm({ form }: { form: SecretChange }) {
  const { t } = useI18n();
  const [first, setFirst] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const mismatch = again !== '' && next !== again;
  const action = useAction(async () => {
    const text = await form.send(form.first.secret ? first : first.trim(), next);
    setFirst('');
    setNext('');
    setAgain('');
    setDone(text);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run();
  };
  const secret = (label: MessageKey, testId: string, value: string, set: (v: string) => void) => (
    <label>
      {t(label)}
      <input
        data-testid={testId}
        type="password"
        required
        autoComplete="new-password"
        {...(form.next.pin
          ? { inputMode: 'numeric' as const, pattern: '\\d{6,12}', maxLength: 12 }
          : { minLength: 10, maxLength: 256 })}
        value={value}
        onChange={(e) => set(e.target.value)}
      />
    </label>
  );
  return (
    <form className="form" onSubmit={submit} data-testid={form.testId}>
      <label>
        {t(form.first.label)}
        <input
          data-testid={`${form.testId}-first`}
          type={form.first.secret ? 'password' : 'text'}
          className={form.first.secret ? undefined : 'mono'}
          required
          autoComplete={form.first.autoComplete}
          value={first}
          onChange={(e) => setFirst(e.target.value)}
        />
      </label>
      {secret(form.next.label, `${form.testId}-new`, next, setNext)}
      {secret(form.next.again, `${form.testId}-again`, again, setAgain)}
      {mismatch && <p className="alert error">{t('account.mismatch')}</p>}
      <ErrorAlert error={action.error} />
      {done && (
        <p className="alert ok" role="status">
          {done}
        </p>
      )}
      <button type="submit" className="primary" disabled={action.busy || mismatch}>
        {t(form.submit)}
      </button>
    </form>
  );
}

function PasswordForm({ forced }: { forced?: boolean }) {
  const { t } = useI18n();
  const { refresh } = useSession();
  const form: SecretChange = {
    testId: 'password',
    first: { label: 'account.currentPassword', autoComplete: 'current-password', secret: true },
    next: { label: 'account.newPassword', again: 'account.confirmPassword', pin: false },
    submit: 'account.passwordSave',
    send: async (currentPassword, newPassword) => {
      await api('/api/me/password', { method: 'POST', body: { currentPassword, newPassword } });
      const me = await refresh();
      if (forced && me) navigate(homeOf(me), { replace: true });
      return t('account.passwordChanged');
    },
  };
  return <SecretChangeForm form={form} />;
}

function PinSection({ title, hint, form }: { title: MessageKey; hint?: string; form: SecretChange }) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby={`${form.testId}-title`}>
      <h2 id={`${form.testId}-title`}>{t(title)}</h2>
      {hint && <p className="muted">{hint}</p>}
      <SecretChangeForm form={form} />
    </section>
  );
}

function EnrolPinForm() {
  const { t } = useI18n();
  const form: SecretChange = {
    testId: 'enrol',
    first: { label: 'account.code', autoComplete: 'one-time-code', secret: false },
    next: { label: 'account.newPin', again: 'account.confirmPin', pin: true },
    submit: 'account.enrol',
    send: async (code, pin) => {
      const cert = await api<{ serial: string }>('/api/me/pin/enrolment', { method: 'POST', body: { code, pin } });
      return t('account.enrolled', { serial: cert.serial.slice(0, 16) });
    },
  };
  return <PinSection title="account.enrolTitle" hint={t('account.enrolHint', { min: 6 })} form={form} />;
}

function ChangePinForm() {
  const { t } = useI18n();
  const form: SecretChange = {
    testId: 'pin',
    first: { label: 'account.currentPin', autoComplete: 'off', secret: true },
    next: { label: 'account.newPin', again: 'account.confirmPin', pin: true },
    submit: 'account.changePin',
    send: async (currentPin, newPin) => {
      await api('/api/me/pin', { method: 'POST', body: { currentPin, newPin } });
      return t('account.pinChanged');
    },
  };
  return <PinSection title="account.changePinTitle" form={form} />;
}
