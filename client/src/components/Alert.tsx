import { errorText } from '../api/errors.js';
import { useI18n } from '../i18n/i18n.js';

/** An error in words a clerk understands; renders nothing without an error. */
export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <p className="alert error" role="alert">
      {errorText(error, t)}
    </p>
  );
}

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <p className="muted" role="status">
      {label ?? t('common.loading')}
    </p>
  );
}
