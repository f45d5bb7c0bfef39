// Shapes of the server's JSON, inferred from the shared protocol schemas (protocol/http/*): the
// server answers with exactly these, so the client never restates them.
import type { z } from 'zod';
import type { RouteDescriptor } from '../../../protocol/common.js';
import type { CeremonyState as WireCeremonyState } from '../../../protocol/http/ceremonies.js';
import type { Pushed } from '../../../protocol/socket.js';

export type { Ref, Role, CaseStatus } from '../../../protocol/common.js';
export type { Me } from '../../../protocol/http/auth.js';
export type { Site, Matter, Partnership } from '../../../protocol/http/catalog.js';
export type {
  CaseSummary,
  CaseDetail,
  CaseList,
  Invitation,
  CreatedCase,
  AcceptedCase,
  CaseStatusChange,
  NewCaseBody,
} from '../../../protocol/http/cases.js';
export type { SessionInfo, Participant, Joined } from '../../../protocol/http/sessions.js';
export type { Snapshot, SnapshotTaken, Checklist, ChecklistKey } from '../../../protocol/http/identity.js';
export type { FaceCheck, LivenessPrompt } from '../../../protocol/http/face-check.js';
export type { LivenessPromptEvent } from '../../../protocol/socket.js';
export type { IdCheck, IdCheckKey, IdCheckStatus, IdCardFields, IdRead } from '../../../protocol/http/id-check.js';
export type { MatterScript, ScriptRunState, ScriptStep } from '../../../protocol/http/script.js';
export type { Material } from '../../../protocol/http/materials.js';
export type {
  DocumentSigner,
  SigningProgress,
  DocumentStatus,
  SignatureReport,
  VerificationReport,
} from '../../../protocol/http/documents.js';
export type { CeremonySigner, CeremonySigned } from '../../../protocol/http/ceremonies.js';
export type { AuditEntry, AuditList, AuditVerification } from '../../../protocol/http/audit.js';
export type { User, Certificate, CrlSummary, CertificateList, EnrolmentCode } from '../../../protocol/http/admin.js';
export type {
  RecordRow,
  RecordList,
  RecordDetail,
  RecordDocument,
  RecordingIntegrity,
  EvidenceJob,
  RecordFilters,
  RecordVerificationJob,
  RecordVerificationRow,
  RecordTimeline,
  TimelineMark,
} from '../../../protocol/http/records.js';
export type { RetentionSettings, DeletionPreview, DeletionRun, LtvRenewal } from '../../../protocol/http/retention.js';
export type { RecordingInfo, RecordingVerification } from '../../../protocol/http/recording.js';
export type { ArchivedRecord } from '../../../protocol/common.js';
export type { Pushed };

/** Read-only: the same state comes over HTTP and as a `ceremony:state` push. */
export type CeremonyState = Pushed<WireCeremonyState>;

/** The JSON a route answers with: `api<ResponseOf<typeof getCase>>(…)`. */
export type ResponseOf<R extends RouteDescriptor & { readonly response: z.ZodTypeAny }> = z.infer<R['response']>;
export type { HashLookup, UploadVerification } from '../../../protocol/http/verify.js';
