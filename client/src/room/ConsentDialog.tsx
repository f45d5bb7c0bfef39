import { useState } from 'react';
import { Dialog } from '../components/Dialog.js';
import { useI18n } from '../i18n/i18n.js';

/** The recording notice every participant acknowledges before their camera and microphone go live. */
export function ConsentDialog({ onAccept }: { onAccept: () => Promise<void> }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={t('room.consentTitle')}>
      <p>{t('room.consentBody1')}</p>
      <p>{t('room.consentBody2')}</p>
      <div className="actions">
        <button
          data-testid="consent-accept"
          type="button"
          className="primary"
          autoFocus
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void onAccept().finally(() => setBusy(false));
          }}
        >
          {t('room.consentAccept')}
        </button>
      </div>
    </Dialog>
  );
}
