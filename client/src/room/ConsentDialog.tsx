import { useState } from 'react';
import { Dialog } from '../components/Dialog.js';
import { useI18n } from '../i18n/i18n.js';
import type { RoomClient } from '../media/RoomClient.js';
import { PrejoinCheck } from './PrejoinCheck.js';

/**
 * The recording notice every participant acknowledges before their camera and microphone go live,
 * after the pre-join check of their devices and network (shown with it, when the room client is given).
 */
export function ConsentDialog({ onAccept, client }: { onAccept: () => Promise<void>; client?: RoomClient }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={t('room.consentTitle')}>
      {client && <PrejoinCheck client={client} />}
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
