// Messages between the harness parent (harness.ts) and the server child (harness-server.ts).
export type HarnessRequest =
  /** `claim`: the session is placed on this node (cluster: its home), as the placement would on the least-loaded one. */
  | { id: number; op: 'room'; size: number; claim?: boolean }
  | { id: number; op: 'workerPids' }
  | { id: number; op: 'endSession'; sessionId: string }
  | { id: number; op: 'loginToken'; userId: string }
  | { id: number; op: 'cases'; count: number }
  | { id: number; op: 'recordingState'; sessionId: string }
  | { id: number; op: 'recording'; sessionId: string }
  | { id: number; op: 'roomPeers'; sessionId: string }
  /** The recording's verification (chain, files, seal) as an auditor gets it. */
  | { id: number; op: 'verifyRecording'; sessionId: string }
  /** The session's recording runs that ended (the recorder's runEnded events), with their keyframe traces. */
  | { id: number; op: 'recordingRuns'; sessionId: string }
  | { id: number; op: 'stop' }
  /** Caps (kbps) or uncaps (null) what the SFU sends to one peer, as a weak downlink would. */
  | { id: number; op: 'setReceiveCap'; sessionId: string; peerId: string; kbps: number | null };

export type HarnessReply = { id: number; ok: true; data: unknown } | { id: number; ok: false; error: string };

export interface RoomTicket {
  readonly sessionId: string;
  readonly caseId: string;
  /** One session cookie per seat, in join order: handling clerk, originating clerk, applicant, others. */
  readonly seats: readonly { readonly peer: string; readonly token: string }[];
}

export interface HarnessReady {
  readonly url: string;
  readonly rootPem: string;
  readonly pid: number;
}

/** A session's recording as the store holds it (op 'recording'); `dir` is where its files are. */
export interface RecordingTimeline {
  readonly startedAt: string;
  readonly status: string;
  readonly dir: string;
  readonly segments: readonly {
    readonly participant: string;
    readonly track: string;
    readonly file: string;
    readonly startMs: number;
    readonly endMs: number;
  }[];
}
