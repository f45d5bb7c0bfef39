// One participant's video with name, role and site; muted microphone/camera are shown in words.
import { useEffect, useRef } from 'react';
import type { PeerQuality } from '../../../protocol/media.js';
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
  /** Its connection quality as the SFU measures it (null before the first report). */
  readonly quality: PeerQuality | null;
  /** Our downlink is in audio-only mode: a remote tile shows who it is instead of a frozen picture. */
  readonly audioOnly: boolean;
}

const qualityKey = { good: 'room.qualityGood', fair: 'room.qualityFair', poor: 'room.qualityPoor' } as const;

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

export function VideoTile({
  tile,
  onSize,
}: {
  tile: TileInfo;
  /** The rendered size of a remote tile in device pixels (the SFU forwards the layer that fits). */
  onSize?: (peerId: string, width: number, height: number) => void;
}) {
  const { t } = useI18n();
  const ref = useStreamVideo(tile.stream);
  useEffect(() => {
    const video = ref.current;
    if (!video || tile.self || !onSize) return;
    const report = () => {
      const dpr = window.devicePixelRatio || 1;
      onSize(tile.peerId, video.clientWidth * dpr, video.clientHeight * dpr);
    };
    const observer = new ResizeObserver(report);
    observer.observe(video);
    return () => observer.disconnect();
  }, [tile.peerId, tile.self, onSize, ref]);
  return (
    <figure
      className={`tile${tile.speaking ? ' speaking' : ''}`}
      data-testid="video-tile"
      data-peer-id={tile.peerId}
      data-peer-role={tile.role}
    >
      <video ref={ref} autoPlay playsInline muted={tile.self} aria-label={t('room.videoOf', { name: tile.name })} />
      {!tile.hasVideo && <div className="tile-empty">{t('room.noVideo')}</div>}
      {tile.hasVideo && tile.audioOnly && !tile.self && (
        <div className="tile-empty tile-avatar" data-testid="tile-avatar">
          <span aria-hidden="true">{tile.name.slice(0, 1)}</span>
          {t('room.audioOnlyTile')}
        </div>
      )}
      {tile.quality && (
        <span
          className={`tile-quality q-${tile.quality.level}`}
          data-testid="quality-badge"
          data-quality={tile.quality.level}
          title={t('room.qualityDetail', {
            loss: tile.quality.lossPct,
            rtt: tile.quality.rttMs ?? '–',
            kbps: tile.quality.sendKbps,
          })}
        >
          {t(qualityKey[tile.quality.level])}
        </span>
      )}
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
