// Signing certificates: a one-time enrolment code for an account (its owner chooses the PIN and the
// certificate is issued then; the admin never sets a PIN), revoke, and each CA's CRL.
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/http.js';
import type { CertificateList, EnrolmentCode } from '../api/types.js';
import { ErrorAlert, Loading } from '../components/Alert.js';
import { DataTable } from '../components/DataTable.js';
import { useAction, useAsync } from '../components/useAsync.js';
import { formatTime } from '../format.js';
import { useI18n } from '../i18n/i18n.js';

export function CertificatesPanel() {
  const { t, lang } = useI18n();
  const list = useAsync((signal) => api<CertificateList>('/api/admin/certificates', { signal }), []);
  const [userId, setUserId] = useState('');
  const [issued, setIssued] = useState<EnrolmentCode | null>(null);
  const issue = useAction(async () => {
    setIssued(null);
    const id = encodeURIComponent(userId.trim());
    setIssued(await api<EnrolmentCode>(`/api/admin/users/${id}/enrolment-code`, { method: 'POST' }));
  });
  const revoke = useAction(async (serial: string) => {
    await api(`/api/admin/certificates/${serial}/revoke`, { method: 'POST', body: { reason: 'superseded' } });
    list.reload();
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void issue.run();
  };
  // A server without the certificate administration API: say so plainly, offer the CLI.
  if (list.error instanceof ApiError && list.error.status === 404) {
    return (
      <section className="card" aria-labelledby="certs-title">
        <h2 id="certs-title">{t('admin.certificates')}</h2>
        <p className="muted" data-testid="certs-unavailable">
          {t('admin.certsUnavailable')}
        </p>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="certs-title">
      <h2 id="certs-title">{t('admin.certificates')}</h2>
      <p className="muted">{t('admin.enrolmentHint')}</p>
      <form className="inline-form" onSubmit={submit}>
        <label>
          {t('admin.account')}
          <input data-testid="enrolment-user" required value={userId} onChange={(e) => setUserId(e.target.value)} />
        </label>
        <button data-testid="enrolment-issue" type="submit" className="primary" disabled={issue.busy}>
          {t('admin.enrolmentCode')}
        </button>
      </form>
      {issued && (
        <p className="alert ok" role="status">
          {t('admin.enrolmentIssued', { user: issued.userId, expires: formatTime(issued.expiresAt, lang) })}{' '}
          <strong className="mono" data-testid="enrolment-code">
            {issued.code}
          </strong>
        </p>
      )}
      <ErrorAlert error={issue.error ?? revoke.error} />
      {list.loading && !list.data && <Loading />}
      <ErrorAlert error={list.error} />
      {list.data && (
        <DataTable compact headers={[t('admin.subject'), t('admin.serial'), t('admin.notAfter'), t('admin.state'), '']}>
          {list.data.certificates.map((c) => (
            <tr key={c.serial}>
              <td>{c.subject}</td>
              <td className="mono">{c.serial.slice(0, 16)}</td>
              <td>{formatTime(c.notAfter, lang)}</td>
              <td>
                {c.revoked ? (
                  <span className="bad-text">{t('admin.revoked')}</span>
                ) : (
                  <span className="ok-text">{t('admin.valid')}</span>
                )}
              </td>
              <td>
                {!c.revoked && (
                  <button
                    type="button"
                    className="danger small"
                    disabled={revoke.busy}
                    onClick={() =>
                      window.confirm(t('admin.revokeConfirm', { subject: c.subject })) && void revoke.run(c.serial)
                    }
                  >
                    {t('admin.revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {list.data && (
        <>
          <h3>{t('admin.crl')}</h3>
          <ul className="plain">
            {list.data.crls.map((c) => (
              <li key={c.ca}>
                <a href={`/pki/crl/${c.ca}.crl`}>{c.ca}</a> —{' '}
                {t('admin.crlLine', {
                  updated: formatTime(c.thisUpdate, lang),
                  next: formatTime(c.nextUpdate, lang),
                  n: c.revokedCount,
                })}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
