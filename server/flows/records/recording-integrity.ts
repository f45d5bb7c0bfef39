// A record's recording checked in place with the recorder's own verifier and the platform seal.
import { describeProblems } from '../../media/recording/flows-recorder.js';
import { platformManifestSeal } from '../../media/recording/platform-seal.js';
import { RecordingStore } from '../../media/recording/RecordingStore.js';
import { verifyRecording, type RecordingVerification } from '../../media/recording/verification.js';
import type { Database } from '../../store/Database.js';
import type { FlowsPki } from '../deps.js';

export interface RecordingIntegrity {
  readonly sessionId: string;
  readonly status: RecordingVerification['status'];
  readonly valid: boolean;
  readonly segmentCount: number;
  readonly head: string | null;
  readonly problems: string[];
  readonly seal: RecordingVerification['seal'];
}

export async function recordingIntegrity(db: Database, dataDir: string, pki: FlowsPki, sessionId: string): Promise<RecordingIntegrity> {
  const v = await verifyRecording({ dataDir, sessionId, store: new RecordingStore(db), seal: platformManifestSeal(pki) });
  return { sessionId, status: v.status, valid: v.valid, segmentCount: v.segmentCount, head: v.head, problems: describeProblems(v), seal: v.seal };
}
