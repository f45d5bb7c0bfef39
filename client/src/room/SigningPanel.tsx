// The document being signed in a case room: the PDF, the signing order with live status, and this
// participant's signing step (PIN for clerks; handwriting for the applicant).
import { useRef, useState } from 'react';
import { api } from '../api/http.js';
import type { Me } from '../api/types.js';
import { ErrorAlert } from '../components/Alert.js';
import { useAction } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';
import { PdfViewer } from '../pdf/PdfViewer.js';
import { HandwritingPad, type HandwritingPadHandle } from './HandwritingPad.js';
import { PinDialog } from './PinDialog.js';
import { SignerList } from './SignerList.js';
import { useDocumentState } from './useDocumentState.js';

export function SigningPanel({ documentId, me, siteName }: { documentId: string; me: Me | null; siteName: (id: string | null) => string | null }) {
  const { t } = useI18n();
  const { doc, refresh } = useDocumentState(documentId);
  const [pinOpen, setPinOpen] = useState(false);
  const [drawn, setDrawn] = useState(false);
  const pad = useRef<HandwritingPadHandle>(null);
  const guest = me?.kind === 'guest';
  const sign = useAction(async (input: { pin?: string; handwriting?: string }) => {
    await api(`/api/documents/${documentId}/sign`, { method: 'POST', body: input });
    setPinOpen(false);
    refresh();
  });

  const signers = doc?.signers ?? [];
  const next = signers.find((s) => !s.signedAt);
  const mine = signers.find((s) => (guest ? s.role === 'applicant' : me?.kind === 'user' && s.userId === me.id));
  const signedCount = signers.filter((s) => s.signedAt).length;
  const myTurn = mine ? !mine.signedAt && next?.position === mine.position : !doc;
  const title = doc?.title ?? t('sign.document');

  return (
    <section className="card panel" aria-labelledby="sign-title">
      <h2 id="sign-title">{title}</h2>
      <PdfViewer url={`/api/documents/${documentId}`} version={signedCount} title={title} />
      {signers.length > 0 && (
        <SignerList
          signers={signers.map((s) => ({
            position: s.position,
            name: s.displayName,
            role: s.role,
            site: siteName(s.siteId),
            signedAt: s.signedAt,
            isTurn: next?.position === s.position,
          }))}
        />
      )}
      {doc && !next && (
        <p className="alert ok" role="status" data-testid="all-signed">
          {t('sign.allSigned')}
        </p>
      )}
      {mine?.signedAt && next && <p className="muted">{t('sign.youSigned')}</p>}
      {(myTurn || (!mine && !doc)) && (
        <div className="sign-step">
          {guest && (
            <>
              <p>{t('sign.padIntro')}</p>
              <HandwritingPad ref={pad} onChange={setDrawn} />
            </>
          )}
          <ErrorAlert error={sign.error} />
          <button
            type="button"
            className="primary block"
            data-testid="sign-button"
            disabled={sign.busy || (guest && !drawn)}
            onClick={() => {
              if (guest) void sign.run({ handwriting: pad.current?.toDataUrl() ?? undefined });
              else {
                sign.setError(null);
                setPinOpen(true);
              }
            }}
          >
            {sign.busy ? t('sign.signing') : t('sign.sign')}
          </button>
        </div>
      )}
      {mine && !mine.signedAt && !myTurn && <p className="muted">{t('sign.notYet')}</p>}
      {pinOpen && <PinDialog title={title} busy={sign.busy} error={sign.error} onSubmit={(pin) => void sign.run({ pin })} onClose={() => setPinOpen(false)} />}
    </section>
  );
}
