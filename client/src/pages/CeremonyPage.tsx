// Flow B, the 远程云签约 ceremony: everyone's video, the agreement on the page the host shows, the
// signing order with live status and each official's signing step.
import { useState } from 'react';
import { api } from '../api/http.js';
import type { CeremonyState, Me, Site } from '../api/types.js';
import { ErrorAlert, Loading } from '../components/Alert.js';
import { AppShell } from '../components/AppShell.js';
import { useAction, useAsync } from '../components/useAsync.js';
import { NewCeremonyForm } from '../ceremony/NewCeremonyForm.js';
import { useCeremony } from '../ceremony/useCeremony.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { useRoom } from '../media/useRoom.js';
import { PdfViewer } from '../pdf/PdfViewer.js';
import { ConsentDialog } from '../room/ConsentDialog.js';
import { PinDialog } from '../room/PinDialog.js';
import { SignerList } from '../room/SignerList.js';
import { RecordingIndicator, VideoStage } from '../room/VideoStage.js';
import { useSession } from '../session.js';

const statusLabel: Record<CeremonyState['status'], MessageKey> = {
  signing: 'ceremony.status.signing',
  signed: 'ceremony.status.signed',
  aborted: 'ceremony.status.aborted',
  archived: 'ceremony.status.archived',
};

export function CeremonyHome() {
  const { t } = useI18n();
  return (
    <AppShell>
      <p className="alert info">{t('ceremony.joinHint')}</p>
      <section className="card">
        <NewCeremonyForm />
      </section>
    </AppShell>
  );
}

export function CeremonyPage({ id }: { id: string }) {
  const { t } = useI18n();
  const { state, error, set, live } = useCeremony(id);
  const { me } = useSession();
  const sites = useAsync((signal) => api<{ sites: Site[] }>('/api/sites', { signal }), []);
  if (!state) {
    return <AppShell wide>{error ? <ErrorAlert error={error} /> : <Loading />}</AppShell>;
  }
  const siteName = (siteId: string | null) => sites.data?.sites.find((s) => s.id === siteId)?.name ?? null;
  return (
    <AppShell wide>
      <div className="page-title">
        <h1>{state.title}</h1>
        <span
          className={`badge ceremony-${state.status}`}
          data-testid="ceremony-status"
          data-live={live ? 'yes' : 'no'}
        >
          {t(statusLabel[state.status])}
        </span>
      </div>
      <CeremonyRoom key={state.sessionId} state={state} me={me} siteName={siteName} onState={set} />
    </AppShell>
  );
}

function CeremonyRoom({
  state,
  me,
  siteName,
  onState,
}: {
  state: CeremonyState;
  me: Me | null;
  siteName: (id: string | null) => string | null;
  onState: (s: CeremonyState) => void;
}) {
  const { t } = useI18n();
  const { client, state: room } = useRoom(state.sessionId);
  const [pinOpen, setPinOpen] = useState(false);
  const userId = me?.kind === 'user' ? me.id : null;
  const isHost = userId === state.host.userId;
  const myTurn = state.status === 'signing' && state.turn?.userId != null && state.turn.userId === userId;
  const signed = state.signers.filter((s) => s.signedAt).length;

  const turnPage = useAction(async (page: number) => {
    onState(await api<CeremonyState>(`/api/ceremonies/${state.id}/page`, { method: 'POST', body: { page } }));
  });
  const sign = useAction(async (pin: string) => {
    const r = await api<{ ceremony: CeremonyState }>(`/api/ceremonies/${state.id}/sign`, {
      method: 'POST',
      body: { pin },
    });
    onState(r.ceremony);
    setPinOpen(false);
  });
  const archive = useAction(async () => {
    await api(`/api/ceremonies/${state.id}/archive`, { method: 'POST' });
  });
  const siteOfPeer = (peerId: string) => {
    const uid = peerId.startsWith('user:') ? peerId.slice(5) : null;
    return siteName(state.signers.find((s) => s.userId === uid)?.siteId ?? null);
  };

  return (
    <div className="room ceremony">
      <div>
        {room && client ? (
          <>
            <div className="stage-head">
              <RecordingIndicator state={room} />
            </div>
            {room.phase === 'joined' && !room.consented && (
              <ConsentDialog client={client} onAccept={() => client.consent()} />
            )}
            <VideoStage client={client} state={room} siteOf={siteOfPeer} />
          </>
        ) : (
          <Loading label={t('room.connecting')} />
        )}
        <section className="card panel" aria-labelledby="order-title">
          <h2 id="order-title">{t('sign.order')}</h2>
          <SignerList
            signers={state.signers.map((s) => ({
              position: s.position,
              name: s.name,
              role: 'official',
              site: siteName(s.siteId),
              signedAt: s.signedAt,
              isTurn: state.turn?.position === s.position,
            }))}
          />
          {myTurn && (
            <button
              type="button"
              className="primary block"
              data-testid="sign-button"
              onClick={() => (sign.setError(null), setPinOpen(true))}
            >
              {t('sign.sign')}
            </button>
          )}
          {state.status === 'signed' && (
            <p className="alert ok" role="status" data-testid="all-signed">
              {t('sign.allSigned')}
            </p>
          )}
          {isHost && state.status === 'signed' && (
            <>
              <ErrorAlert error={archive.error} />
              <button
                type="button"
                className="primary"
                data-testid="ceremony-archive"
                disabled={archive.busy}
                onClick={() => void archive.run()}
              >
                {t('room.archive')}
              </button>
            </>
          )}
        </section>
      </div>
      <section className="card panel document" aria-label={t('ceremony.agreement')}>
        <PdfViewer
          url={`/api/documents/${state.documentId}`}
          version={signed}
          title={state.title}
          page={state.currentPage}
        />
        {isHost && (
          <div className="actions center">
            <button
              type="button"
              data-testid="page-prev"
              disabled={turnPage.busy || state.currentPage <= 1}
              onClick={() => void turnPage.run(state.currentPage - 1)}
            >
              {t('pdf.prev')}
            </button>
            <button
              type="button"
              data-testid="page-next"
              disabled={turnPage.busy || state.currentPage >= state.pageCount}
              onClick={() => void turnPage.run(state.currentPage + 1)}
            >
              {t('pdf.next')}
            </button>
          </div>
        )}
        {!isHost && <p className="muted small center">{t('ceremony.hostTurns', { name: state.host.name })}</p>}
        {isHost && (
          <p className="small">
            {t('ceremony.shareLink')}{' '}
            <span
              className="mono break"
              data-testid="ceremony-link"
            >{`${window.location.origin}/ceremony/${state.id}`}</span>
          </p>
        )}
        <ErrorAlert error={turnPage.error} />
      </section>
      {pinOpen && (
        <PinDialog
          title={state.title}
          busy={sign.busy}
          error={sign.error}
          onSubmit={(pin) => void sign.run(pin)}
          onClose={() => setPinOpen(false)}
        />
      )}
    </div>
  );
}
