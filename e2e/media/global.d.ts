// The room page exposes its client for diagnostics; tests read its counters through it.
interface TongbanRoomHandle {
  stats(): Promise<{ peerId: string; kind: 'audio' | 'video'; framesDecoded: number; packetsReceived: number }[]>;
  sendStats(): Promise<
    {
      kind: 'audio' | 'video';
      framesSent: number;
      packetsSent: number;
      at: number;
      layers: {
        rid: string | null;
        height: number | null;
        framesSent: number;
        fps: number | null;
        limitation: string | null;
      }[];
    }[]
  >;
  readonly state: {
    readonly phase: string;
    readonly error: string | null;
    readonly peerId: string | null;
    readonly activeSpeaker: string | null;
    readonly audioOnly: boolean;
    readonly peers: ReadonlyMap<string, { readonly audioMuted: boolean; readonly videoMuted: boolean }>;
  };
  setMuted(kind: 'audio' | 'video', muted: boolean): Promise<void>;
  rejoin(): Promise<void>;
  leave(): Promise<void>;
  addEventListener(type: 'rejoined' | 'change', listener: () => void): void;
}
interface Window {
  __tongbanRoom?: TongbanRoomHandle;
  /** The senders the page created (id-card test: recorded by its init script). */
  __senders?: RTCRtpSender[];
}
