// The signing PIN, asked for each document: the server unlocks the signer's key with it.
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../components/Alert.js';
import { Dialog } from '../components/Dialog.js';
import { useI18n } from '../i18n/i18n.js';

export function PinDialog(props: {
  title: string;
  busy: boolean;
  error: unknown;
  onSubmit: (pin: string) => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [pin, setPin] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (pin) props.onSubmit(pin);
  };
  return (
    <Dialog title={t('sign.pinTitle')} onClose={props.onClose} closeLabel={t('common.close')}>
      <form className="form" onSubmit={submit}>
        <p>{t('sign.pinBody', { title: props.title })}</p>
        <label>
          {t('sign.pin')}
          <input
            data-testid="pin-input"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            autoFocus
            maxLength={12}
            required
            value={pin}
            onChange={(e) => setPin(e.target.value)}
          />
        </label>
        <ErrorAlert error={props.error} />
        <div className="actions">
          <button type="button" onClick={props.onClose}>
            {t('common.cancel')}
          </button>
          <button data-testid="pin-submit" type="submit" className="primary" disabled={props.busy || !pin}>
            {props.busy ? t('sign.signing') : t('sign.confirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
