// One case: parties, status, history and the next step for this clerk (accept, invite, enter the
// room, archive).
import { useState } from 'react';
import { api } from '../api/http.js';
import type {
  AcceptedCase,
  ArchivedRecord,
  CaseDetail as Detail,
  CaseStatus,
  CaseStatusChange,
  Invitation,
} from '../api/types.js';
import { ErrorAlert, Loading } from '../components/Alert.js';
import { useAction, useAsync } from '../components/useAsync.js';
import { formatTime, statusKey } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import { navigate } from '../router.js';
import { useSession } from '../session.js';

export function CaseDetail({
  caseId,
  siteId,
  version,
}: {
  caseId: string;
  siteId: string;
  version: string | undefined;
}) {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const detail = useAsync((signal) => api<Detail>(`/api/cases/${caseId}`, { signal }), [caseId, version]);
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  const act = useAction(async (verb: 'accept' | 'reject' | 'invitations' | 'archive') => {
    const path = `/api/cases/${caseId}/${verb}`;
    let sessionId: string | undefined;
    if (verb === 'invitations') setInvitation(await api<Invitation>(path, { method: 'POST' }));
    else if (verb === 'accept') sessionId = (await api<AcceptedCase>(path, { method: 'POST' })).sessionId;
    else await api<CaseStatusChange | ArchivedRecord>(path, { method: 'POST' });
    detail.reload();
    return { sessionId };
  });

  if (!detail.data) return detail.error ? <ErrorAlert error={detail.error} /> : <Loading />;
  const c = detail.data;
  const handling = c.handlingSite.id === siteId;
  // Only the clerk who opened the case and the one who accepted it may invite the applicant.
  const isCaseClerk = me?.kind === 'user' && (me.id === c.createdBy || me.id === c.acceptedBy);
  const canEnter = c.sessionId && (c.status === 'in_session' || c.status === 'identity_confirmed');
  return (
    <article className="case-detail" aria-labelledby="case-title">
      <div className="case-head">
        <h2 id="case-title">
          {c.matter.name} <small className="mono">{c.number}</small>
        </h2>
        <span className={`badge status-${c.status}`} data-testid="case-status">
          {t(statusKey[c.status])}
        </span>
      </div>
      <dl className="facts">
        <dt>{t('desk.applicant')}</dt>
        <dd>
          {c.applicant.name} <span className="mono">{c.applicant.idMasked}</span>
          {c.applicant.phoneMasked && <span className="mono"> · {c.applicant.phoneMasked}</span>}
        </dd>
        <dt>{t('desk.originatingSite')}</dt>
        <dd>{c.originatingSite.name}</dd>
        <dt>{t('desk.handlingSite')}</dt>
        <dd>{c.handlingSite.name}</dd>
        <dt>{t('desk.createdAt')}</dt>
        <dd>{formatTime(c.createdAt, lang)}</dd>
      </dl>
      <div className="actions">
        {handling && (c.status === 'queued' || c.status === 'created') && (
          <>
            <button
              type="button"
              className="primary"
              data-testid="case-accept"
              disabled={act.busy}
              onClick={() => void act.run('accept').then((r) => r?.sessionId && navigate(`/room/${r.sessionId}`))}
            >
              {t('desk.accept')}
            </button>
            <button type="button" disabled={act.busy} onClick={() => void act.run('reject')}>
              {t('desk.reject')}
            </button>
          </>
        )}
        {canEnter && (
          <button
            type="button"
            className="primary"
            data-testid="case-enter-room"
            onClick={() => navigate(`/room/${c.sessionId}`)}
          >
            {t('desk.enterRoom')}
          </button>
        )}
        {c.status === 'in_session' && isCaseClerk && (
          <button
            type="button"
            data-testid="case-invite"
            disabled={act.busy}
            onClick={() => void act.run('invitations')}
          >
            {t('desk.invite')}
          </button>
        )}
        {handling && c.status === 'signed' && (
          <button type="button" data-testid="case-archive" disabled={act.busy} onClick={() => void act.run('archive')}>
            {t('desk.archive')}
          </button>
        )}
      </div>
      <ErrorAlert error={act.error} />
      {invitation && <InvitationBox invitation={invitation} />}
      <h3>{t('desk.history')}</h3>
      <ol className="timeline">
        {c.history.map((h, i) => (
          <li key={i}>
            <time>{formatTime(h.at, lang)}</time>
            <span>
              {h.from ? `${statusLabel(h.from, t)} → ` : ''}
              {statusLabel(h.to, t)}
            </span>
            <small className="muted">
              {h.actor}
              {h.note ? ` · ${h.note}` : ''}
            </small>
          </li>
        ))}
      </ol>
    </article>
  );
}

function statusLabel(s: CaseStatus, t: ReturnType<typeof useI18n>['t']): string {
  return t(statusKey[s]);
}

function InvitationBox({ invitation }: { invitation: Invitation }) {
  const { t, lang } = useI18n();
  return (
    <section className="invitation" aria-label={t('desk.invitation')} data-testid="invitation">
      <h3>{t('desk.invitation')}</h3>
      <p>
        {t('desk.invitationCode')}:{' '}
        <strong className="code" data-testid="invitation-code">
          {invitation.code}
        </strong>
      </p>
      <p>
        {t('desk.invitationLink')}:{' '}
        <a href={invitation.url} data-testid="invitation-url" className="mono break">
          {invitation.url}
        </a>
      </p>
      <p className="muted">{t('desk.invitationExpires', { time: formatTime(invitation.expiresAt, lang) })}</p>
    </section>
  );
}
