// The clerk's desk: the site's live queue (cases to handle) and outgoing cases, a case's detail,
// and the form to open a new case.
import { useState } from 'react';
import type { CaseSummary } from '../api/types.js';
import { ErrorAlert } from '../components/Alert.js';
import { AppShell } from '../components/AppShell.js';
import { CaseDetail } from '../desk/CaseDetail.js';
import { NewCaseForm } from '../desk/NewCaseForm.js';
import { useLiveCases } from '../desk/useLiveCases.js';
import { formatTime, statusKey } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import { useSession } from '../session.js';

const closed = new Set(['archived', 'rejected', 'cancelled']);

export function DeskPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const { cases, error, live } = useLiveCases();
  const [selected, setSelected] = useState<string | 'new' | null>(null);
  const siteId = me?.kind === 'user' ? (me.site?.id ?? '') : '';
  const incoming = cases.filter((c) => c.handlingSite.id === siteId && !closed.has(c.status));
  const outgoing = cases.filter((c) => c.originatingSite.id === siteId && !closed.has(c.status));
  const done = cases.filter((c) => closed.has(c.status));
  const current = cases.find((c) => c.id === selected);
  return (
    <AppShell wide>
      <div className="page-title">
        <h1>{t('desk.title')}</h1>
        <span className={`live ${live ? 'on' : ''}`} role="status">
          {live ? t('desk.live') : t('desk.offline')}
        </span>
        <button type="button" className="primary" data-testid="case-new" onClick={() => setSelected('new')}>
          {t('desk.newCase')}
        </button>
      </div>
      <ErrorAlert error={error} />
      <div className="split">
        <div className="stack">
          <CaseTable
            title={t('desk.queue')}
            empty={t('desk.queueEmpty')}
            cases={incoming}
            selected={selected}
            onSelect={setSelected}
            testId="queue"
          />
          <CaseTable
            title={t('desk.outgoing')}
            empty={t('desk.outgoingEmpty')}
            cases={outgoing}
            selected={selected}
            onSelect={setSelected}
            testId="outgoing"
          />
          {done.length > 0 && (
            <CaseTable
              title={t('desk.closed')}
              empty=""
              cases={done}
              selected={selected}
              onSelect={setSelected}
              testId="closed"
            />
          )}
        </div>
        <section className="card detail-pane">
          {selected === 'new' ? (
            <NewCaseForm siteId={siteId} onCreated={(id) => setSelected(id)} />
          ) : selected ? (
            <CaseDetail key={selected} caseId={selected} siteId={siteId} version={current?.updatedAt} />
          ) : (
            <p className="muted">{t('desk.pick')}</p>
          )}
        </section>
      </div>
    </AppShell>
  );
}

function CaseTable(props: {
  title: string;
  empty: string;
  cases: CaseSummary[];
  selected: string | null;
  onSelect: (id: string) => void;
  testId: string;
}) {
  const { t, lang } = useI18n();
  return (
    <section className="card" aria-label={props.title}>
      <h2>
        {props.title} <span className="count">{props.cases.length}</span>
      </h2>
      {props.cases.length === 0 ? (
        <p className="muted">{props.empty}</p>
      ) : (
        <ul className="case-list" data-testid={props.testId}>
          {props.cases.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className={`case-row${props.selected === c.id ? ' selected' : ''}`}
                aria-pressed={props.selected === c.id}
                data-testid="case-row"
                data-case-id={c.id}
                onClick={() => props.onSelect(c.id)}
              >
                <span className="case-main">
                  <strong>{c.matter.name}</strong>
                  <small className="muted">
                    {c.applicant.name} · {c.originatingSite.name} → {c.handlingSite.name}
                  </small>
                </span>
                <span className="case-side">
                  <span className={`badge status-${c.status}`}>{t(statusKey[c.status])}</span>
                  <small className="muted">{formatTime(c.createdAt, lang)}</small>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
