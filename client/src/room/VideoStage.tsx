// Everyone's tiles, the recording indicator and the local mute/camera controls.
import { useCallback, useState } from 'react';
import type { RoomClient, RoomState } from '../media/RoomClient.js';
import { useI18n } from '../i18n/i18n.js';
import { VideoTile, type TileInfo } from './VideoTile.js';

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
      quality: state.quality.get(p.id) ?? null,
      audioOnly: state.audioOnly,
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

export function VideoStage({ client, state, siteOf }: VideoStageProps) {
  const { t } = useI18n();
  const [muted, setMuted] = useState({ audio: false, video: false });
  const toggle = (kind: 'audio' | 'video') => {
    const next = !muted[kind];
    setMuted((m) => ({ ...m, [kind]: next }));
    void client.setMuted(kind, next).catch(() => setMuted((m) => ({ ...m, [kind]: !next })));
  };
  const onSize = useCallback((peerId: string, w: number, h: number) => client.setTileSize(peerId, w, h), [client]);
  // Self first, then the others in join order.
  const tiles = tilesOf(state, siteOf).sort((a, b) => Number(b.self) - Number(a.self));
  return (
    <section className="stage" aria-label={t('room.videos')}>
      {state.audioOnly && (
        <p className="alert warn" role="status" data-testid="audio-only-notice">
          {t('room.audioOnly')}
        </p>
      )}
      <div className={`tiles n${Math.min(tiles.length, 4)}`}>
        {tiles.map((tile) => (
          <VideoTile key={tile.peerId} tile={tile} onSize={onSize} />
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
        </div>
      )}
    </section>
  );
}
