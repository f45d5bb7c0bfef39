// Records as the audit pages read them (GET /api/records, GET /api/records/:id).
import type { AuditEntry, SigningProgress, VerificationReport } from '../api/types.js';

export interface RecordRow {
  id: string;
  kind: 'case' | 'ceremony';
  caseId: string | null;
  ceremonyId: string | null;
  sessionId: string | null;
  number: string;
  title: string;
  matterName: string | null;
  archivedAt: string;
  archivedBy: string;
  retainUntil: string;
  legalHold: boolean;
  sites: { id: string; name: string }[];
  participants: { name: string; role: string; userId: string | null }[];
}

export interface RecordDocument extends SigningProgress {
  id: string;
  kind: string;
  title: string;
  sha256: string;
  verification: VerificationReport;
}

export interface RecordSnapshot {
  id: string;
  caseId: string;
  kind: 'face' | 'id';
  sha256: string;
  offsetMs: number;
  takenBy: string;
  takenAt: string;
}

export interface RecordingVerification {
  sessionId: string;
  status: 'recording' | 'sealed' | 'interrupted' | 'missing';
  valid: boolean;
  segmentCount: number;
  head: string | null;
  problems: string[];
  seal?: { state: 'valid' | 'invalid' | 'missing' | 'not_checked'; reason?: string };
}

export interface RecordDetail {
  record: RecordRow;
  documents: RecordDocument[];
  snapshots: RecordSnapshot[];
  recording: RecordingVerification | null;
  audit: AuditEntry[];
}

export interface EvidenceJob {
  id: string;
  recordId: string;
  status: 'running' | 'done' | 'failed';
  progress: number;
  error: string | null;
}

/** GET /api/sessions/:id/recording; `composite` is the playable grid video, when the server has it. */
export interface RecordingInfo {
  sessionId: string;
  status: 'recording' | 'sealed' | 'interrupted';
  startedAt: string;
  endedAt: string | null;
  segmentCount: number;
  participants: { id: string; displayName: string; role: string }[];
  segments: { index: number; participant: string; track: string; startMs: number; endMs: number }[];
  composite?: { status: 'rendering' | 'ready' | 'failed'; progress?: number; url?: string };
}
