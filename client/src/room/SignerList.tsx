// Live signature status: each signer in order, whose turn it is, and when each signed.
import { formatTime, roleKey } from '../format.js';
import { useI18n } from '../i18n/i18n.js';

export interface SignerRow {
  readonly position: number;
  readonly name: string;
  readonly role: string;
  readonly site: string | null;
  readonly signedAt: string | null;
  readonly isTurn: boolean;
}

export function SignerList({ signers }: { signers: readonly SignerRow[] }) {
  const { t, lang } = useI18n();
  return (
    <ol className="signers" aria-label={t('sign.order')} data-testid="signer-list">
      {signers.map((s, i) => (
        <li
          key={s.position}
          className={s.signedAt ? 'signed' : s.isTurn ? 'turn' : ''}
          data-testid="signer"
          data-signed={s.signedAt ? 'yes' : 'no'}
        >
          <span className="signer-pos" aria-hidden="true">
            {s.signedAt ? '✓' : i + 1}
          </span>
          <span className="signer-main">
            <strong>{s.name}</strong>
            <small className="muted">
              {t(roleKey(s.role))}
              {s.site ? ` · ${s.site}` : ''}
            </small>
          </span>
          <span className="signer-state">
            {s.signedAt
              ? t('sign.signedAt', { time: formatTime(s.signedAt, lang) })
              : s.isTurn
                ? t('sign.turn')
                : t('sign.waiting')}
          </span>
        </li>
      ))}
    </ol>
  );
}
