// The recorder as the flows (documents, records, evidence) see it: server/flows/deps.ts FlowsRecorder.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowsRecorder } from '../documents/deps.js';
import type { MediaService } from '../media/MediaService.js';
import { recordingDirectory } from './files.js';
import { manifestName, sealName, type Manifest } from './manifest.js';
import type { Recorder } from './Recorder.js';
import type { RecordingStore } from './RecordingStore.js';
import { verifyRecording, type RecordingVerification, type VerifyOptions } from './verification.js';

export interface FlowsRecorderDeps {
  readonly media: MediaService;
  readonly recorder: Recorder;
  readonly store: RecordingStore;
  readonly dataDir: string;
  readonly verify: (sessionId: string) => Promise<RecordingVerification>;
}

export function flowsRecorder(d: FlowsRecorderDeps): FlowsRecorder {
  return {
    checkpoint(sessionId) {
      const cp = d.recorder.checkpoint(sessionId);
      return { sessionId, head: cp.head, segmentCount: cp.segmentCount, offsetMs: cp.offsetMs, at: cp.takenAt };
    },
    async finalize(sessionId) {
      await d.media.endSession(sessionId);
    },
    async files(sessionId) {
      const row = d.store.get(sessionId);
      if (!row) return undefined;
      const dir = recordingDirectory(d.dataDir, sessionId, row);
      if (!existsSync(join(dir, manifestName))) return undefined;
      const manifest = JSON.parse(readFileSync(join(dir, manifestName), 'utf8')) as Manifest;
      const names = [manifestName, ...(existsSync(join(dir, sealName)) ? [sealName] : []), ...manifest.segments.map((s) => s.file)];
      return new Map(names.map((n) => [n, new Uint8Array(readFileSync(join(dir, n)))]));
    },
    async verify(sessionId) {
      const v = await d.verify(sessionId);
      return { valid: v.valid, status: v.status, problems: describeProblems(v) };
    },
  };
}

/** Verification bound to one data directory, store and seal: what HTTP and the flows call. */
export function recordingVerifier(o: Omit<VerifyOptions, 'sessionId'>): (sessionId: string) => Promise<RecordingVerification> {
  return (sessionId) => verifyRecording({ ...o, sessionId });
}

export function describeProblems(v: RecordingVerification): string[] {
  const out = [...v.problems];
  if (v.firstBadSegment) out.push(`segment #${v.firstBadSegment.index} (${v.firstBadSegment.file}): ${v.firstBadSegment.reason}`);
  if (v.seal.state === 'invalid' || v.seal.state === 'missing') out.push(`seal ${v.seal.state}${v.seal.reason ? `: ${v.seal.reason}` : ''}`);
  return out;
}
