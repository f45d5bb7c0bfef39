// The retention console (admins change, auditors read): retention per matter and per ceremony kind,
// legal holds with their reasons, and the scheduled deletion: a preview of the records past
// retention and not held, with what their deletion destroys, and running it now.
import { useState, type FormEvent } from 'react';
import { api } from '../api/http.js';
import type { DeletionPreview, DeletionRun, RecordList, RecordRow, RetentionSettings } from '../api/types.js';
import { ErrorAlert, Loading } from '../components/Alert.js';
import { AppShell } from '../components/AppShell.js';
import { DataTable } from '../components/DataTable.js';
import { useAction, useAsync } from '../components/useAsync.js';
import { formatTime } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import { useSession } from '../session.js';

export function RetentionPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const canChange = me?.kind === 'user' && me.role === 'admin';
  const settings = useAsync((signal) => api<RetentionSettings>('/api/retention', { signal }), []);
  const preview = useAsync((signal) => api<DeletionPreview>('/api/retention/preview', { signal }), []);
  const changed = () => {
    settings.reload();
    preview.reload();
  };
  return (
    <AppShell wide>
      <div className="page-title">
        <h1>{t('retention.title')}</h1>
      </div>
      <ErrorAlert error={settings.error} />
      {!settings.data ? (
        <Loading />
      ) : (
        <div className="split even">
          <div className="stack">
            <RetentionTable settings={settings.data} canChange={canChange} onChanged={changed} />
          </div>
          <div className="stack">
            <DeletionPanel preview={preview} canChange={canChange} onChanged={changed} />
            <HoldsPanel holds={settings.data.holds} canChange={canChange} onChanged={changed} />
          </div>
        </div>
      )}
    </AppShell>
  );
}

interface PanelProps {
  readonly canChange: boolean;
  readonly onChanged: () => void;
}

function RetentionTable({ settings, canChange, onChanged }: PanelProps & { settings: RetentionSettings }) {
  const { t, lang } = useI18n();
  const save = useAction(async (path: string, retentionDays: number) => {
    await api(path, { method: 'PUT', body: { retentionDays } });
    onChanged();
  });
  const rows = [
    ...settings.matters.map((m) => ({
      key: `matter:${m.id}`,
      label: lang === 'zh' ? m.name : m.nameEn,
      kind: t('retention.matter'),
      days: m.retentionDays,
      path: `/api/retention/matters/${m.id}`,
    })),
    ...settings.ceremonyKinds.map((c) => ({
      key: `ceremony:${c.kind}`,
      label: t('retention.ceremonyKind.agreement'),
      kind: t('retention.ceremony'),
      days: c.retentionDays,
      path: `/api/retention/ceremony-kinds/${c.kind}`,
    })),
  ];
  return (
    <section className="card" aria-labelledby="retention-periods">
      <h2 id="retention-periods">{t('retention.periods')}</h2>
      <p className="muted small">{t('retention.periodsHint')}</p>
      <ErrorAlert error={save.error} />
      <DataTable compact headers={[t('retention.what'), t('retention.kind'), t('retention.days')]}>
        {rows.map((r) => (
          <tr key={r.key} data-testid={`retention-${r.key}`}>
            <td>{r.label}</td>
            <td>{r.kind}</td>
            <td>
              {canChange ? (
                <DaysField days={r.days} busy={save.busy} onSave={(d) => void save.run(r.path, d)} label={r.label} />
              ) : (
                t('retention.daysValue', { n: r.days, years: (r.days / 365).toFixed(1) })
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function DaysField(props: { days: number; busy: boolean; label: string; onSave: (days: number) => void }) {
  const { t } = useI18n();
  const [value, setValue] = useState(String(props.days));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSave(Number(value));
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <input
        type="number"
        min={1}
        max={36500}
        required
        value={value}
        aria-label={t('retention.daysFor', { what: props.label })}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="small" disabled={props.busy || Number(value) === props.days}>
        {t('retention.save')}
      </button>
    </form>
  );
}

function HoldsPanel({ holds, canChange, onChanged }: PanelProps & { holds: RecordRow[] }) {
  const { t, lang } = useI18n();
  const [reason, setReason] = useState('');
  const [q, setQ] = useState('');
  const [found, setFound] = useState<RecordRow[]>();
  const search = useAction(async () => {
    setFound((await api<RecordList>(`/api/records?q=${encodeURIComponent(q)}&limit=10`)).records);
  });
  const setHold = useAction(async (id: string, hold: boolean) => {
    await api(`/api/records/${id}/hold`, { method: 'PUT', body: { hold, reason: reason.trim() } });
    setReason('');
    setFound(undefined);
    onChanged();
  });
  const reasonMissing = reason.trim().length === 0;
  return (
    <section className="card" aria-labelledby="holds-title">
      <h2 id="holds-title">{t('retention.holds')}</h2>
      {holds.length === 0 ? (
        <p className="muted">{t('retention.noHolds')}</p>
      ) : (
        <DataTable compact headers={[t('retention.record'), t('retention.holdReason'), t('retention.holdBy'), '']}>
          {holds.map((r) => (
            <tr key={r.id} data-testid="hold-row">
              <td>
                <span className="mono">{r.number}</span>
                <br />
                <small>{r.title}</small>
              </td>
              <td>{r.holdReason}</td>
              <td>
                {r.holdBy}
                <br />
                <small className="muted">{formatTime(r.holdAt, lang)}</small>
              </td>
              <td>
                {canChange && (
                  <button
                    type="button"
                    className="small"
                    disabled={setHold.busy || reasonMissing}
                    onClick={() => void setHold.run(r.id, false)}
                  >
                    {t('retention.release')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {canChange && (
        <div className="form">
          <label>
            {t('retention.reason')}
            <input
              required
              maxLength={500}
              value={reason}
              placeholder={t('retention.reasonPlaceholder')}
              onChange={(e) => setReason(e.target.value)}
            />
          </label>
          <form
            className="inline-form"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              void search.run();
            }}
          >
            <input
              value={q}
              aria-label={t('retention.findRecord')}
              placeholder={t('retention.findRecord')}
              onChange={(e) => setQ(e.target.value)}
            />
            <button type="submit" className="small" disabled={search.busy}>
              {t('retention.find')}
            </button>
          </form>
          <ErrorAlert error={search.error ?? setHold.error} />
          {found && (
            <ul className="plain" data-testid="hold-candidates">
              {found.map((r) => (
                <li key={r.id}>
                  <span className="mono">{r.number}</span> {r.title}{' '}
                  {r.legalHold ? (
                    <span className="badge warn">{t('audit.legalHold')}</span>
                  ) : (
                    <button
                      type="button"
                      className="small"
                      disabled={setHold.busy || reasonMissing}
                      onClick={() => void setHold.run(r.id, true)}
                    >
                      {t('retention.hold')}
                    </button>
                  )}
                </li>
              ))}
              {found.length === 0 && <li className="muted">{t('retention.noneFound')}</li>}
            </ul>
          )}
          {reasonMissing && <p className="muted small">{t('retention.reasonRequired')}</p>}
        </div>
      )}
    </section>
  );
}

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MiB`;

function DeletionPanel({
  preview,
  canChange,
  onChanged,
}: PanelProps & { preview: { data: DeletionPreview | undefined; error: unknown } }) {
  const { t, lang } = useI18n();
  const [done, setDone] = useState<DeletionRun>();
  const run = useAction(async () => {
    setDone(await api<DeletionRun>('/api/retention/run', { method: 'POST' }));
    onChanged();
  });
  const p = preview.data;
  return (
    <section className="card" aria-labelledby="deletion-title">
      <h2 id="deletion-title">{t('retention.deletion')}</h2>
      <ErrorAlert error={preview.error ?? run.error} />
      {!p ? (
        <Loading />
      ) : (
        <>
          <p data-testid="deletion-totals">
            {t('retention.totals', {
              records: p.totals.records,
              blobs: p.totals.blobs,
              blobBytes: mib(p.totals.blobBytes),
              files: p.totals.recordingFiles,
              recordingBytes: mib(p.totals.recordingBytes),
            })}
          </p>
          <p className="muted small">{t('retention.previewAt', { at: formatTime(p.at, lang) })}</p>
          {p.records.length > 0 && (
            <DataTable
              compact
              headers={[
                t('retention.record'),
                t('retention.retainUntil'),
                t('retention.blobs'),
                t('retention.recording'),
              ]}
            >
              {p.records.map((d) => (
                <tr key={d.record.id} data-testid="doomed-row">
                  <td>
                    <span className="mono">{d.record.number}</span>
                    <br />
                    <small>{d.record.title}</small>
                  </td>
                  <td>{formatTime(d.record.retainUntil, lang)}</td>
                  <td>
                    {d.blobs} · {mib(d.blobBytes)}
                  </td>
                  <td>
                    {d.recordingFiles} · {mib(d.recordingBytes)}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
          {canChange && (
            <button
              type="button"
              className="danger"
              disabled={run.busy || p.records.length === 0}
              onClick={() => window.confirm(t('retention.runConfirm', { n: p.totals.records })) && void run.run()}
            >
              {t('retention.runNow')}
            </button>
          )}
          {done && (
            <p role="status" data-testid="deletion-done">
              {t('retention.ran', { n: done.deleted.length, blobs: done.blobs, files: done.recordingFiles })}
            </p>
          )}
        </>
      )}
    </section>
  );
}
