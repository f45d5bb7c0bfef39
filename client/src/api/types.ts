// Shapes of the server's JSON (DESIGN §11, server/http/routes/*). Only the fields the client reads.
export type Role = 'clerk' | 'official' | 'auditor' | 'admin';

export type Me =
  | { kind: 'user'; id: string; username: string; displayName: string; role: Role; site: { id: string; name: string } | null }
  | { kind: 'guest'; sessionId: string; caseId: string | null; displayName: string };

export interface Site {
  id: string;
  name: string;
  nameEn: string;
  region: string;
}

export interface Matter {
  id: string;
  name: string;
  nameEn: string;
  category: string;
  department: string;
}

export interface Partnership {
  id: string;
  name: string;
  kind: string;
  signedOn: string;
  description: string;
  sites: string[];
  matters: string[];
}

export type CaseStatus = 'created' | 'queued' | 'in_session' | 'identity_confirmed' | 'signed' | 'archived' | 'rejected' | 'cancelled';

interface Ref {
  id: string;
  name: string;
}

export interface CaseSummary {
  id: string;
  number: string;
  status: CaseStatus;
  matter: Ref;
  originatingSite: Ref;
  handlingSite: Ref;
  applicant: { name: string; idMasked: string; phoneMasked: string | null };
  createdBy: string;
  acceptedBy: string | null;
  sessionId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CaseDetail extends CaseSummary {
  history: { at: string; actor: string; from: string | null; to: string; note: string | null }[];
}

export interface Invitation {
  code: string;
  url: string;
  sessionId: string;
  expiresAt: string;
}

export interface SessionInfo {
  id: string;
  kind: 'case' | 'ceremony';
  caseId: string | null;
  ceremonyId: string | null;
  status: 'open' | 'ended';
  participants: { participantId: string; userId: string | null; guest: boolean; displayName: string; role: string }[];
  /** The flow document being signed in this session, once there is one (asked of the server). */
  documentId?: string | null;
}

export interface DocumentSigner {
  position: number;
  role: 'applicant' | 'witness' | 'confirmer' | 'official';
  name: string;
  siteId: string | null;
  signedAt: string | null;
}

/** GET /api/documents/:id/status and the answer of POST /api/documents/:id/sign. */
export interface SigningProgress {
  status: 'signing' | 'signed' | 'aborted';
  signatures: DocumentSigner[];
  next: DocumentSigner | null;
}

export interface DocumentStatus extends SigningProgress {
  id: string;
  kind: string;
  title: string;
  sha256: string;
}

export interface CeremonySigner {
  position: number;
  userId: string | null;
  name: string;
  siteId: string | null;
  signedAt: string | null;
}

export interface CeremonyState {
  id: string;
  title: string;
  status: 'signing' | 'signed' | 'aborted' | 'archived';
  host: { userId: string; name: string };
  sessionId: string;
  documentId: string;
  pageCount: number;
  currentPage: number;
  turn: { position: number; userId: string | null; name: string } | null;
  signers: CeremonySigner[];
  witnesses: { userId: string; name: string }[];
  abortReason: string | null;
}

export interface SignatureReport {
  field?: string;
  signer: { name: string; serial?: string; issuer?: string } | null;
  intact: boolean;
  trusted: boolean;
  revoked: boolean;
  level: string | null;
  timestamp: { time: string; valid: boolean } | null;
  coversWholeDocument: boolean;
  modifiedAfter?: boolean | string | null;
}

export interface VerificationReport {
  valid: boolean;
  signatures: SignatureReport[];
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  hash: string;
}

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  siteId: string | null;
  disabled: boolean;
}
