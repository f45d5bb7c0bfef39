// The video room of a case (flow A): everyone's video, the recording notice and indicator; the
// handling clerk's checklist and snapshots; the document with each party's signing step.
import { useEffect } from 'react';
import { api } from '../api/http.js';
import { ErrorAlert } from '../components/Alert.js';
import { AppShell } from '../components/AppShell.js';
import { useAction } from '../components/useAsync.js';
import { statusKey } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import { useRoom } from '../media/useRoom.js';
import { ConsentDialog } from '../room/ConsentDialog.js';
import { FaceCheckPanel } from '../room/FaceCheckPanel.js';
import { IdentityPanel } from '../room/IdentityPanel.js';
import { LivenessPrompt } from '../room/LivenessPrompt.js';
import { MaterialsPanel } from '../room/MaterialsPanel.js';
import { ScriptPanel, ScriptPrompt } from '../room/ScriptPanel.js';
import { useScript } from '../room/useScript.js';
import { SigningPanel } from '../room/SigningPanel.js';
import { caseSiteOf, useRoomContext } from '../room/useRoomContext.js';
import { RecordingIndicator, VideoStage } from '../room/VideoStage.js';
import { fetchRatingPass } from '../rating/ratingPass.js';
import { navigate } from '../router.js';
import { useSession } from '../session.js';

export function RoomPage({ sessionId }: { sessionId: string }) {
  const { t } = useI18n();
  const { me } = useSession();
  const { client, state } = useRoom(sessionId);
  const isClerk = me?.kind === 'user' && me.role === 'clerk';
  const ctx = useRoomContext(sessionId, isClerk);
  const kase = ctx.kase;
  const handling = isClerk && me.kind === 'user' && kase !== null && kase.handlingSite.id === me.site?.id;
  const originating =
    isClerk && me.kind === 'user' && kase !== null && kase.originatingSite.id === me.site?.id && !handling;
  const siteName = (id: string | null) => ctx.sites.find((s) => s.id === id)?.name ?? null;
  const archive = useAction(async () => {
    const r = await api<{ recordId: string }>(`/api/cases/${kase!.id}/archive`, { method: 'POST' });
    await client?.leave();
    navigate('/desk');
    return r;
  });

  // The applicant keeps a rating pass from the start: the guest login ends with the session, and
  // the 好差评 rating comes after; when the session ends the phone moves on to the rating page.
  const applicantCase = me?.kind === 'guest' ? me.caseId : null;
  const [script, setScript] = useScript(kase?.id ?? applicantCase);
  useEffect(() => {
    if (applicantCase) void fetchRatingPass(applicantCase).catch(() => undefined);
  }, [applicantCase]);
  useEffect(() => {
    if (applicantCase && ctx.ended) navigate(`/rate/${encodeURIComponent(applicantCase)}`, { replace: true });
  }, [applicantCase, ctx.ended]);

  useEffect(() => {
    if (ctx.session?.kind === 'ceremony' && ctx.session.ceremonyId)
      navigate(`/ceremony/${ctx.session.ceremonyId}`, { replace: true });
  }, [ctx.session]);
  const signedOff = kase?.status === 'signed';
  return (
    <AppShell wide>
      <div className="page-title">
        <h1>
          {kase ? kase.matter.name : t('room.title')}
          {kase && <small className="mono"> {kase.number}</small>}
        </h1>
        {kase && <span className={`badge status-${kase.status}`}>{t(statusKey[kase.status])}</span>}
        {state && <RecordingIndicator state={state} />}
        {state?.phase === 'rejoining' && (
          <span className="badge warn" role="status">
            {t('room.reconnecting')}
          </span>
        )}
      </div>
      {state?.error && (
        <p className="alert error" role="alert">
          {t('room.failed')}
        </p>
      )}
      {!client || !state ? (
        <p className="muted" role="status">
          {t('room.connecting')}
        </p>
      ) : (
        <>
          {state.phase === 'joined' && !state.consented && <ConsentDialog onAccept={() => client.consent()} />}
          {me?.kind === 'guest' && <LivenessPrompt sessionId={sessionId} />}
          <div className="room">
            <VideoStage client={client} state={state} siteOf={(peerId, role) => caseSiteOf(kase, peerId, role)} />
            <div className="room-side">
              {me?.kind === 'guest' && !ctx.documentId && <ScriptPrompt state={script} />}
              {kase && handling && (
                <ScriptPanel caseId={kase.id} state={script} onState={setScript} confirmed={ctx.documentId !== null} />
              )}
              {kase && originating && me.kind === 'user' && (
                <MaterialsPanel caseId={kase.id} participants={ctx.session?.participants ?? []} me={me.id} />
              )}
              {kase && handling && (
                <IdentityPanel caseId={kase.id} confirmed={ctx.documentId !== null} onConfirmed={ctx.setDocumentId} />
              )}
              {kase && handling && <FaceCheckPanel caseId={kase.id} confirmed={ctx.documentId !== null} />}
              {ctx.documentId ? (
                <SigningPanel documentId={ctx.documentId} me={me} siteName={siteName} />
              ) : (
                me &&
                !handling && (
                  <section className="card panel">
                    <h2>{t('room.waitingTitle')}</h2>
                    <p className="muted">{me.kind === 'guest' ? t('room.waitingApplicant') : t('room.waitingClerk')}</p>
                  </section>
                )
              )}
              {handling && signedOff && (
                <section className="card panel">
                  <p>{t('room.allSignedArchive')}</p>
                  <ErrorAlert error={archive.error} />
                  <button
                    type="button"
                    className="primary block"
                    data-testid="case-archive"
                    disabled={archive.busy}
                    onClick={() => void archive.run()}
                  >
                    {t('room.archive')}
                  </button>
                </section>
              )}
            </div>
          </div>
        </>
      )}
    </AppShell>
  );
}
