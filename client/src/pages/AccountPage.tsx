// One's own account (issue 12 §5): the password (forced at the first login when an admin set it),
// and for clerks and officials the signing PIN — chosen with the admin's one-time enrolment code,
// changed with the old one. The admin never sees or sets either.
import { useState, type FormEvent, type ReactNode } from 'react';
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

/** Two fields that must agree (new password, new PIN); `mismatch` is set when they differ. */
function useConfirmed() {
  const [value, setValue] = useState('');
  const [again, setAgain] = useState('');
  return { value, setValue, again, setAgain, mismatch: again !== '' && value !== again };
}

function Field(props: {
  label: MessageKey;
  testId: string;
  value: string;
  set: (v: string) => void;
  pin?: boolean;
  autoComplete: string;
  minLength?: number;
}) {
  const { t } = useI18n();
  return (
    <label>
      {t(props.label)}
      <input
        data-testid={props.testId}
        type="password"
        required
        autoComplete={props.autoComplete}
        minLength={props.minLength}
        {...(props.pin ? { inputMode: 'numeric' as const, pattern: '\\d{6,12}', maxLength: 12 } : {})}
        value={props.value}
        onChange={(e) => props.set(e.target.value)}
      />
    </label>
  );
}

function ActionForm(props: {
  testId: string;
  onSubmit: () => void;
  busy: boolean;
  error: unknown;
  done: string | null;
  submit: MessageKey;
  disabled?: boolean;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit();
  };
  return (
    <form className="form" onSubmit={submit} data-testid={props.testId}>
      {props.children}
      <ErrorAlert error={props.error} />
      {props.done && (
        <p className="alert ok" role="status">
          {props.done}
        </p>
      )}
      <button type="submit" className="primary" disabled={props.busy || props.disabled}>
        {t(props.submit)}
      </button>
    </form>
  );
}

function PasswordForm({ forced }: { forced?: boolean }) {
  const { t } = useI18n();
  const { refresh } = useSession();
  const [current, setCurrent] = useState('');
  const next = useConfirmed();
  const [done, setDone] = useState<string | null>(null);
  const save = useAction(async () => {
    await api('/api/me/password', {
      method: 'POST',
      body: { currentPassword: current, newPassword: next.value },
    });
    setCurrent('');
    next.setValue('');
    next.setAgain('');
    setDone(t('account.passwordChanged'));
    const me = await refresh();
    if (forced && me) navigate(homeOf(me), { replace: true });
  });
  return (
    <ActionForm
      testId="password-form"
      onSubmit={() => void save.run()}
      busy={save.busy}
      error={save.error}
      done={done}
      submit="account.passwordSave"
      disabled={next.mismatch}
    >
      <Field
        label="account.currentPassword"
        testId="password-current"
        value={current}
        set={setCurrent}
        autoComplete="current-password"
      />
      <Field
        label="account.newPassword"
        testId="password-new"
        value={next.value}
        set={next.setValue}
        autoComplete="new-password"
        minLength={10}
      />
      <Field
        label="account.confirmPassword"
        testId="password-again"
        value={next.again}
        set={next.setAgain}
        autoComplete="new-password"
        minLength={10}
      />
      {next.mismatch && <p className="alert error">{t('account.mismatch')}</p>}
    </ActionForm>
  );
}

function EnrolPinForm() {
  const { t } = useI18n();
  const [code, setCode] = useState('');
  const pin = useConfirmed();
  const [done, setDone] = useState<string | null>(null);
  const enrol = useAction(async () => {
    const cert = await api<{ serial: string }>('/api/me/pin/enrolment', {
      method: 'POST',
      body: { code: code.trim(), pin: pin.value },
    });
    setCode('');
    pin.setValue('');
    pin.setAgain('');
    setDone(t('account.enrolled', { serial: cert.serial.slice(0, 16) }));
  });
  return (
    <section className="card" aria-labelledby="enrol-title">
      <h2 id="enrol-title">{t('account.enrolTitle')}</h2>
      <p className="muted">{t('account.enrolHint', { min: 6 })}</p>
      <ActionForm
        testId="enrol-form"
        onSubmit={() => void enrol.run()}
        busy={enrol.busy}
        error={enrol.error}
        done={done}
        submit="account.enrol"
        disabled={pin.mismatch}
      >
        <label>
          {t('account.code')}
          <input
            data-testid="enrol-code"
            required
            autoComplete="one-time-code"
            className="mono"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </label>
        <Field label="account.newPin" testId="enrol-pin" value={pin.value} set={pin.setValue} pin autoComplete="off" />
        <Field
          label="account.confirmPin"
          testId="enrol-pin-again"
          value={pin.again}
          set={pin.setAgain}
          pin
          autoComplete="off"
        />
        {pin.mismatch && <p className="alert error">{t('account.mismatch')}</p>}
      </ActionForm>
    </section>
  );
}

function ChangePinForm() {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const pin = useConfirmed();
  const [done, setDone] = useState<string | null>(null);
  const change = useAction(async () => {
    await api('/api/me/pin', { method: 'POST', body: { currentPin: current, newPin: pin.value } });
    setCurrent('');
    pin.setValue('');
    pin.setAgain('');
    setDone(t('account.pinChanged'));
  });
  return (
    <section className="card" aria-labelledby="pin-title">
      <h2 id="pin-title">{t('account.changePinTitle')}</h2>
      <ActionForm
        testId="pin-form"
        onSubmit={() => void change.run()}
        busy={change.busy}
        error={change.error}
        done={done}
        submit="account.changePin"
        disabled={pin.mismatch}
      >
        <Field
          label="account.currentPin"
          testId="pin-current"
          value={current}
          set={setCurrent}
          pin
          autoComplete="off"
        />
        <Field label="account.newPin" testId="pin-new" value={pin.value} set={pin.setValue} pin autoComplete="off" />
        <Field
          label="account.confirmPin"
          testId="pin-again"
          value={pin.again}
          set={pin.setAgain}
          pin
          autoComplete="off"
        />
        {pin.mismatch && <p className="alert error">{t('account.mismatch')}</p>}
      </ActionForm>
    </section>
  );
}
