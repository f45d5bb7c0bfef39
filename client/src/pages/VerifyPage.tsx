// The public verification page (/verify, and /v/<hash> from the QR on a document): no login. An
// upload is checked by the server and not kept; a hash from a QR says only whether the platform
// holds that document, its kind, state, signature count and archived date.
import { useEffect, useState, type ReactNode } from 'react';
import { api, upload } from '../api/http.js';
import type { HashLookup, UploadVerification } from '../api/types.js';
import { ErrorAlert } from '../components/Alert.js';
import { AppShell } from '../components/AppShell.js';
import { DataTable } from '../components/DataTable.js';
import { useAction } from '../components/useAsync.js';
import { formatTime } from '../format.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';

type PdfResult = Extract<UploadVerification, { type: 'pdf' }>;
type ZipResult = Extract<UploadVerification, { type: 'zip' }>;

export function VerifyPage({ hashRef }: { hashRef?: string }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<UploadVerification | null>(null);
  const check = useAction(async () => {
    const form = new FormData();
    form.append('file', file!, file!.name);
    setResult(null);
    setResult(await upload<UploadVerification>('/api/verify', form));
  });
  return (
    <AppShell>
      <section className="card" data-testid="verify-page">
        <h1>{t('verify.title')}</h1>
        <p className="muted">{t('verify.intro')}</p>
        {hashRef && <HashCheck hashRef={hashRef} />}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void check.run();
          }}
        >
          <label>
            {t('verify.file')}
            <input
              type="file"
              accept="application/pdf,application/zip,.pdf,.zip"
              data-testid="verify-file"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </label>
          <button type="submit" className="primary" disabled={!file || check.busy} data-testid="verify-submit">
            {check.busy ? t('verify.checking') : t('verify.check')}
          </button>
        </form>
        <p className="muted">{t('verify.notKept')}</p>
        {check.error ? <ErrorAlert error={check.error} /> : null}
      </section>
      {result?.type === 'pdf' && <PdfReport result={result} />}
      {result?.type === 'zip' && <ZipReport result={result} />}
    </AppShell>
  );
}

function ReportCard(props: { type: string; title: string; valid: boolean; sha256: string; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <section className="card" data-testid="verify-report" data-type={props.type}>
      <div className="case-head">
        <h2>{props.title}</h2>
        <span
          className={`badge ${props.valid ? 'valid' : 'invalid'}`}
          data-testid="verify-verdict"
          data-valid={String(props.valid)}
        >
          {props.valid ? t('verify.valid') : t('verify.invalid')}
        </span>
      </div>
      <p className="mono small">SHA-256 {props.sha256}</p>
      {props.children}
    </section>
  );
}

function HashCheck({ hashRef }: { hashRef: string }) {
  const [lookup, setLookup] = useState<HashLookup | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<HashLookup>(`/api/verify/hash/${encodeURIComponent(hashRef)}`).then(setLookup, setError);
  }, [hashRef]);
  if (error) return <ErrorAlert error={error} />;
  if (!lookup) return null;
  return (
    <div className="card" data-testid="verify-hash">
      <p className="mono">{hashRef}</p>
      <HeldFacts lookup={lookup} />
    </div>
  );
}

function HeldFacts({ lookup }: { lookup: HashLookup }) {
  const { t, lang } = useI18n();
  const d = lookup.document;
  if (!lookup.held || !d)
    return (
      <p className="bad-text" data-testid="verify-held" data-held="false">
        {t('verify.notHeld')}
      </p>
    );
  return (
    <dl className="facts" data-testid="verify-held" data-held="true">
      <dt>{t('verify.held')}</dt>
      <dd className="ok-text">{t('common.yes')}</dd>
      <dt>{t('verify.kind')}</dt>
      <dd>{t(`verify.kind.${d.kind}` as MessageKey)}</dd>
      <dt>{t('verify.revision')}</dt>
      <dd>{t(`verify.revision.${d.revision}` as MessageKey)}</dd>
      <dt>{t('verify.state')}</dt>
      <dd data-testid="verify-state">{t(`verify.state.${d.state}` as MessageKey)}</dd>
      <dt>{t('verify.signatures')}</dt>
      <dd>{d.signatures}</dd>
      <dt>{t('verify.archivedAt')}</dt>
      <dd>{formatTime(d.archivedAt, lang)}</dd>
    </dl>
  );
}

function PdfReport({ result }: { result: PdfResult }) {
  const { t, lang } = useI18n();
  const yes = (ok: boolean) => (
    <span className={ok ? 'ok-text' : 'bad-text'}>{ok ? t('common.yes') : t('common.no')}</span>
  );
  const { report, checkpoint } = result;
  return (
    <ReportCard type="pdf" title={t('verify.pdfReport')} valid={report.valid} sha256={result.sha256}>
      <DataTable
        compact
        headers={[
          t('audit.signer'),
          t('verify.time'),
          t('audit.level'),
          t('audit.intact'),
          t('audit.trusted'),
          t('audit.notRevoked'),
          t('verify.unmodified'),
        ]}
      >
        {report.signatures.map((s, i) => (
          <tr key={i} data-testid="verify-signature" data-valid={String(s.problems.length === 0)}>
            <td>{s.level === 'document-timestamp' ? t('audit.documentTimestamp') : (s.signer?.name ?? '—')}</td>
            <td>{s.timestamp ? formatTime(s.timestamp.time, lang) : '—'}</td>
            <td className="mono">{s.level}</td>
            <td>{yes(s.intact)}</td>
            <td>{yes(s.trusted)}</td>
            <td>{yes(!s.revoked)}</td>
            <td>{yes(!s.modifiedAfter)}</td>
          </tr>
        ))}
      </DataTable>
      {report.signatures.length === 0 && <p className="bad-text">{t('verify.noSignatures')}</p>}
      <h3>{t('verify.checkpoint')}</h3>
      {checkpoint ? (
        <p data-testid="verify-checkpoint">
          {t('verify.checkpointLine', { n: checkpoint.segmentCount, session: checkpoint.sessionId })}
          <br />
          <span className="mono small">{checkpoint.head}</span>
        </p>
      ) : (
        <p className="muted">{t('verify.noCheckpoint')}</p>
      )}
      <h3>{t('verify.platformRecord')}</h3>
      <HeldFacts lookup={result.record} />
    </ReportCard>
  );
}

function ZipReport({ result }: { result: ZipResult }) {
  const { t, lang } = useI18n();
  const m = result.manifest;
  return (
    <ReportCard type="zip" title={t('verify.zipReport')} valid={result.valid} sha256={result.sha256}>
      {m && (
        <p>
          {t('verify.packageOf', { number: m.recordNumber, n: m.documents })} · {formatTime(m.archivedAt, lang)}
        </p>
      )}
      <ul className="ok-text">
        {result.checked.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      {result.problems.length > 0 && (
        <ul className="bad-text" data-testid="verify-problems">
          {result.problems.map((p, i) => (
            <li key={i}>
              <span className="mono">{p.file}</span>: {p.message}
            </li>
          ))}
        </ul>
      )}
    </ReportCard>
  );
}
