// One participant's video with name, role and site; muted microphone/camera are shown in words.
import { useEffect, useRef } from 'react';
import { roleKey } from '../format.js';
import { useI18n } from '../i18n/i18n.js';

export interface TileInfo {
  readonly peerId: string;
  readonly name: string;
  readonly role: string;
  readonly site: string | null;
  /** Kept for the peer's whole stay: srcObject is assigned only when this object changes. */
  readonly stream: MediaStream | null;
  readonly hasVideo: boolean;
  readonly self: boolean;
  readonly speaking: boolean;
  readonly audioMuted: boolean;
  readonly videoMuted: boolean;
}

/**
 * A <video>'s ref showing `stream`, assigned only on a new stream object, never on re-renders
 * (speaker, mute, levels): reassigning srcObject restarts the element even with the same tracks.
 */
export function useStreamVideo(stream: MediaStream | null) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return ref;
}

export function VideoTile({ tile }: { tile: TileInfo }) {
  const { t } = useI18n();
  const ref = useStreamVideo(tile.stream);
  return (
    <figure
      className={`tile${tile.speaking ? ' speaking' : ''}`}
      data-testid="video-tile"
      data-peer-id={tile.peerId}
      data-peer-role={tile.role}
    >
      <video ref={ref} autoPlay playsInline muted={tile.self} aria-label={t('room.videoOf', { name: tile.name })} />
      {!tile.hasVideo && <div className="tile-empty">{t('room.noVideo')}</div>}
      <figcaption>
        <strong>
          {tile.name}
          {tile.self ? t('room.me') : ''}
        </strong>
        <span>
          {t(roleKey(tile.role))}
          {tile.site ? ` · ${tile.site}` : ''}
        </span>
        {(tile.audioMuted || tile.videoMuted) && (
          <span className="tile-muted">
            {[tile.audioMuted && t('room.micOff'), tile.videoMuted && t('room.camOff')].filter(Boolean).join(' · ')}
          </span>
        )}
      </figcaption>
    </figure>
  );
}
