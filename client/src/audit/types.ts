// Records as the audit pages read them (GET /api/records, /api/records/:id). Fields beyond id are
// optional so that a record of either kind (case or ceremony) shows what it has.
export interface RecordSummary {
  id: string;
  number?: string;
  kind?: 'case' | 'ceremony';
  title?: string;
  matter?: { id: string; name: string } | null;
  sites?: { id: string; name: string }[];
  participants?: string[];
  archivedAt?: string;
  createdAt?: string;
}

export interface RecordDetail extends RecordSummary {
  sessionId?: string | null;
  documents?: { id: string; title?: string; kind?: string }[];
  snapshots?: { id: string; kind: string; sha256: string; offsetMs: number; url?: string }[];
  audit?: { id: number; at: string; actor: string; action: string; target: string | null }[];
}

export interface RecordingVerification {
  valid: boolean;
  state?: string;
  segments?: number;
  problems?: string[];
  sealed?: boolean;
}
