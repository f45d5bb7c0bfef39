// What the recorder needs from a live room: its router, who is in it and what they publish, and
// the events that start and stop recording runs. The media feature's Room provides it; the
// recording feature never imports the media feature (media writes to recording, not the reverse).
import type { types as ms } from 'mediasoup';

export interface RecordableRoom {
  readonly sessionId: string;
  readonly closed: boolean;
  readonly router: ms.Router;
  peers(): readonly { readonly id: string; readonly displayName: string; readonly role: string }[];
  producers(): readonly { readonly id: string; readonly peerId: string }[];
  findProducer(producerId: string): ms.Producer | undefined;
  on(event: 'newProducer' | 'producerClosed', listener: (p: { readonly peerId: string }) => void): unknown;
  on(event: 'peerLeft', listener: (peerId: string) => void): unknown;
  once(event: 'closed', listener: () => void): unknown;
}
