// The room page exposes its client for diagnostics; tests read its counters through it.
interface TongbanRoomHandle {
  stats(): Promise<{ peerId: string; kind: 'audio' | 'video'; framesDecoded: number; packetsReceived: number }[]>;
  readonly state: { readonly phase: string; readonly peerId: string | null };
}
interface Window {
  __tongbanRoom?: TongbanRoomHandle;
}
