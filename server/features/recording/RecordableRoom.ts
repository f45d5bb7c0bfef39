// What the recorder needs from a live room: its router, who is in it and what they publish, and
// the events that start and stop recording runs. The media feature's Room provides it; the
// recording feature never imports the media feature (media writes to recording, not the reverse).
import type { types as ms } from 'mediasoup';

export interface RecordableRoom {
  readonly sessionId: string;
  readonly closed: boolean;
  readonly router: ms.Router;
  peers(): readonly { readonly id: string; readonly displayName: string; readonly role: string }[];
  producers(): readonly RecordableProducer[];
  findProducer(producerId: string): ms.Producer | undefined;
  /** Asks the peer's camera for its full resolution alone for a moment (a snapshot is being taken). */
  holdFullResolution(peerId: string, holdMs: number): void;
  on(event: 'newProducer' | 'producerClosed', listener: (p: RecordableProducer) => void): unknown;
  on(event: 'peerLeft', listener: (peerId: string) => void): unknown;
  once(event: 'closed', listener: () => void): unknown;
}

/** A published track; `source` 'screen' is a shared screen, recorded apart from its sharer's camera. */
export interface RecordableProducer {
  readonly id: string;
  readonly peerId: string;
  readonly source?: string;
}

/**
 * The recording participant a screen share is filed under: its own folder, runs and segments beside
 * the sharer's camera, with the role 'screen' in the manifest, so auditors see what it is.
 */
export function screenShareParticipant(peerId: string): string {
  return `${peerId}#screen`;
}

/** Whose recording a track goes to: the sharer's screen participant for a share, else the peer's own. */
export function recordingParticipantOf(p: RecordableProducer): string {
  return p.source === 'screen' ? screenShareParticipant(p.peerId) : p.peerId;
}
