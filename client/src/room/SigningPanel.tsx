// The document being signed in a case room: the PDF, the signing order with live status, and this
// participant's signing step (PIN for clerks; handwriting for the applicant).
import { useRef, useState } from 'react';
import { api } from '../api/http.js';
import type { DocumentSigner, Me } from '../api/types.js';
import { ErrorAlert } from '../components/Alert.js';
import { useAction } from '../components/useAsync.js';
import { useI18n } from '../i18n/i18n.js';
import { PdfViewer } from '../pdf/PdfViewer.js';
import { HandwritingPad, type HandwritingPadHandle } from './HandwritingPad.js';
import { PinDialog } from './PinDialog.js';
import { SignerList } from './SignerList.js';
import { useDocumentState } from './useDocumentState.js';

/** Whether a signer slot is this participant: the applicant (guest) or a clerk by name and site. */
function isMe(s: DocumentSigner, me: Me | null): boolean {
  if (!me) return false;
  if (me.kind === 'guest') return s.role === 'applicant';
  return s.role !== 'applicant' && s.name === me.displayName && s.siteId === (me.site?.id ?? null);
}

export function SigningPanel({
  documentId,
  me,
  siteName,
}: {
  documentId: string;
  me: Me | null;
  siteName: (id: string | null) => string | null;
}) {
  const { t } = useI18n();
  const { doc, error, refresh } = useDocumentState(documentId);
  const [pinOpen, setPinOpen] = useState(false);
  const [drawn, setDrawn] = useState(false);
  const pad = useRef<HandwritingPadHandle>(null);
  const guest = me?.kind === 'guest';
  const sign = useAction(async (input: { pin?: string; handwriting?: string }) => {
    await api(`/api/documents/${documentId}/sign`, { method: 'POST', body: input });
    setPinOpen(false);
    refresh();
  });

  const signers = doc?.signatures ?? [];
  const mine = signers.find((s) => isMe(s, me));
  const signedCount = signers.filter((s) => s.signedAt).length;
  const myTurn = Boolean(mine && doc?.next && doc.next.position === mine.position);
  const title = doc?.title ?? t('sign.document');

  return (
    <section className="card panel" aria-labelledby="sign-title">
      <h2 id="sign-title">{title}</h2>
      <PdfViewer url={`/api/documents/${documentId}`} version={signedCount} title={title} />
      <ErrorAlert error={doc ? null : error} />
      {signers.length > 0 && (
        <SignerList
          signers={signers.map((s) => ({
            position: s.position,
            name: s.name,
            role: s.role,
            site: siteName(s.siteId),
            signedAt: s.signedAt,
            isTurn: doc?.next?.position === s.position,
          }))}
        />
      )}
      {doc?.status === 'signed' && (
        <p className="alert ok" role="status" data-testid="all-signed">
          {t('sign.allSigned')}
        </p>
      )}
      {mine?.signedAt && doc?.status === 'signing' && <p className="muted">{t('sign.youSigned')}</p>}
      {myTurn && (
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
      {mine && !mine.signedAt && !myTurn && doc?.status === 'signing' && <p className="muted">{t('sign.notYet')}</p>}
      {pinOpen && (
        <PinDialog
          title={title}
          busy={sign.busy}
          error={sign.error}
          onSubmit={(pin) => void sign.run({ pin })}
          onClose={() => setPinOpen(false)}
        />
      )}
    </section>
  );
}
