// What the server read off the ID card snapshots, shown to the handling clerk as advice: each field
// with its confidence, each check passed / failed / not read, highlighted. The clerk decides.
import type { IdCheck, IdCheckKey, IdCheckStatus, IdCardFields } from '../api/types.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';

const fields: (keyof IdCardFields)[] = [
  'name',
  'sex',
  'ethnicity',
  'birth',
  'address',
  'idNumber',
  'authority',
  'validFrom',
  'validTo',
];
const checks: IdCheckKey[] = ['checksum', 'matchesApplicant', 'nameMatches', 'birthMatches', 'sexMatches', 'validity'];

/** Below this confidence a value is marked as uncertain. */
const CONFIDENT = 60;

export function IdCheckAdvice({ check }: { check: IdCheck }) {
  const { t } = useI18n();
  const status = (s: IdCheckStatus) => t(`idcheck.status.${s}` as MessageKey);
  return (
    <section className="id-check" data-testid="id-check" aria-labelledby="id-check-title">
      <h3 id="id-check-title">{t('idcheck.title')}</h3>
      <p className="muted small">{t('idcheck.advice')}</p>
      <dl className="id-fields">
        {fields.map((key) => {
          const f = check.fields[key];
          return (
            <div key={key} data-testid={`id-field-${key}`} className={f && f.confidence < CONFIDENT ? 'unsure' : ''}>
              <dt>{t(`idcheck.field.${key}` as MessageKey)}</dt>
              <dd>
                {f ? f.value : '—'}
                {f && (
                  <small className="muted">
                    {' '}
                    · {t('idcheck.confidence')} {Math.round(f.confidence)}
                  </small>
                )}
              </dd>
            </div>
          );
        })}
      </dl>
      <ul className="id-checks">
        {checks.map((key) => (
          <li
            key={key}
            data-testid={`id-check-${key}`}
            data-status={check.checks[key]}
            className={`check-${check.checks[key]}`}
          >
            {status(check.checks[key])} · {t(`idcheck.check.${key}` as MessageKey)}
            {key === 'validity' && check.checks.validityState !== 'unread' && (
              <> ({t(`idcheck.validity.${check.checks.validityState}` as MessageKey)})</>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
