// Everyone's tiles, the recording indicator and the local mute/camera controls.
import { useState } from 'react';
import type { RoomClient, RoomState, ScreenShare } from '../media/RoomClient.js';
import { errorText } from '../api/errors.js';
import { useI18n } from '../i18n/i18n.js';
import { useStreamVideo, VideoTile, type TileInfo } from './VideoTile.js';

export interface VideoStageProps {
  readonly client: RoomClient;
  readonly state: RoomState;
  /** The site name shown under a participant (from the case or ceremony), when known. */
  readonly siteOf: (peerId: string, role: string) => string | null;
}

export function tilesOf(state: RoomState, siteOf: VideoStageProps['siteOf']): TileInfo[] {
  const peers = [...state.peers.values()];
  if (state.peerId && !state.peers.has(state.peerId)) {
    peers.unshift({
      id: state.peerId,
      displayName: '',
      role: '',
      consented: state.consented,
      audioMuted: false,
      videoMuted: false,
    });
  }
  return peers.map((p) => {
    const self = p.id === state.peerId;
    return {
      peerId: p.id,
      name: p.displayName,
      role: p.role,
      site: siteOf(p.id, p.role),
      // Never a stream made here: a new object per render would reload the <video> (issue 13).
      stream: self ? state.localStream : (state.streams.get(p.id) ?? null),
      hasVideo: self
        ? (state.localStream?.getVideoTracks().length ?? 0) > 0
        : state.remote.some((r) => r.peerId === p.id && r.consumer.kind === 'video'),
      self,
      speaking: state.activeSpeaker === p.id,
      audioMuted: p.audioMuted,
      videoMuted: p.videoMuted,
    };
  });
}

export function RecordingIndicator({ state }: { state: RoomState }) {
  const { t } = useI18n();
  if (state.recording?.state !== 'recording') return null;
  return (
    <span className="recording" data-testid="recording-indicator" role="status">
      <span className="dot" aria-hidden="true" />
      {t('room.recording')}
    </span>
  );
}

/** The shared screen, large above the tiles, with the sharer's name. */
function ScreenShareTile({ screen, name }: { screen: ScreenShare; name: string }) {
  const { t } = useI18n();
  const ref = useStreamVideo(screen.stream);
  return (
    <figure className="tile screen-share" data-testid="screen-share" data-peer-id={screen.peerId}>
      <video
        ref={ref}
        autoPlay
        playsInline
        muted
        data-testid="screen-video"
        aria-label={t('room.screenOf', { name })}
      />
      <figcaption>
        <strong>{t('room.screenOf', { name })}</strong>
      </figcaption>
    </figure>
  );
}

/** Who started or stopped sharing, as the server announced it to the room. */
function ScreenNotice({ state }: { state: RoomState }) {
  const { t } = useI18n();
  const notice = state.screenNotice;
  if (!notice) return null;
  return (
    <p className="screen-notice" data-testid="screen-notice" data-sharing={notice.sharing} role="status">
      {t(notice.sharing ? 'room.screenSharing' : 'room.screenStopped', { name: notice.displayName })}
    </p>
  );
}

export function VideoStage({ client, state, siteOf }: VideoStageProps) {
  const { t } = useI18n();
  const [muted, setMuted] = useState({ audio: false, video: false });
  const [shareError, setShareError] = useState<string | null>(null);
  // Only the clerks may share (the server checks it too); the applicant never sees the button.
  const mayShare = state.peerId !== null && state.peers.get(state.peerId)?.role === 'clerk';
  const sharing = state.screen?.self === true;
  const toggleShare = () => {
    setShareError(null);
    const action = sharing ? client.stopScreenShare() : client.shareScreen();
    void action.catch((err: unknown) => {
      // Closing the browser's picker is not an error worth a message.
      if (!(err instanceof DOMException && err.name === 'NotAllowedError')) setShareError(errorText(err, t));
    });
  };
  const sharerName = state.screen ? (state.peers.get(state.screen.peerId)?.displayName ?? '') : '';
  const toggle = (kind: 'audio' | 'video') => {
    const next = !muted[kind];
    setMuted((m) => ({ ...m, [kind]: next }));
    void client.setMuted(kind, next).catch(() => setMuted((m) => ({ ...m, [kind]: !next })));
  };
  // Self first, then the others in join order.
  const tiles = tilesOf(state, siteOf).sort((a, b) => Number(b.self) - Number(a.self));
  return (
    <section className="stage" aria-label={t('room.videos')}>
      <ScreenNotice state={state} />
      {state.screen && <ScreenShareTile screen={state.screen} name={sharerName} />}
      <div className={`tiles n${Math.min(tiles.length, 4)}${state.screen ? ' small' : ''}`}>
        {tiles.map((tile) => (
          <VideoTile key={tile.peerId} tile={tile} />
        ))}
      </div>
      {state.consented && (
        <div className="controls" role="group" aria-label={t('room.controls')}>
          <button type="button" data-testid="toggle-mic" aria-pressed={muted.audio} onClick={() => toggle('audio')}>
            {muted.audio ? t('room.unmute') : t('room.mute')}
          </button>
          <button type="button" data-testid="toggle-camera" aria-pressed={muted.video} onClick={() => toggle('video')}>
            {muted.video ? t('room.cameraOn') : t('room.cameraOff')}
          </button>
          {mayShare && (
            <button type="button" data-testid="toggle-screen" aria-pressed={sharing} onClick={toggleShare}>
              {sharing ? t('room.stopShare') : t('room.shareScreen')}
            </button>
          )}
        </div>
      )}
      {shareError && (
        <p className="alert error" role="alert" data-testid="screen-share-error">
          {shareError}
        </p>
      )}
    </section>
  );
}
