// A record's recording checked in place with the recorder's own verifier and the platform seal.
import { describeProblems } from './flows-recorder.js';
import { platformManifestSeal } from './platform-seal.js';
import { RecordingStore } from './RecordingStore.js';
import { verifyRecording } from './verification.js';
import type { Database } from '../../kernel/store/Database.js';
import type { FlowsPki } from '../documents/deps.js';

export interface RecordingIntegrity {
  readonly sessionId: string;
  readonly status: string;
  readonly valid: boolean;
  readonly segmentCount: number;
  readonly head: string | null;
  readonly problems: string[];
  readonly seal: { readonly state: string; readonly reason?: string };
}

export async function recordingIntegrity(db: Database, dataDir: string, pki: FlowsPki, sessionId: string): Promise<RecordingIntegrity> {
  const v = await verifyRecording({ dataDir, sessionId, store: new RecordingStore(db), seal: platformManifestSeal(pki) });
  return { sessionId, status: v.status, valid: v.valid, segmentCount: v.segmentCount, head: v.head, problems: describeProblems(v), seal: v.seal };
}
