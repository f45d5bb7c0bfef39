// Server error codes → sentences a clerk understands. The table is exhaustive over the protocol's
// ErrorCode (the type check fails when a code is added without its message); codes from outside
// the vocabulary (a newer server, a proxy) fall back to the HTTP status class.
import type { ErrorCode } from '../../../protocol/errors.js';
import type { MessageKey, Translate } from '../i18n/i18n.js';
import { ApiError } from './http.js';

export const errorMessages: Readonly<Record<ErrorCode, MessageKey>> = {
  bad_request: 'error.invalidRequest',
  unauthenticated: 'error.unauthenticated',
  forbidden: 'error.forbidden',
  not_found: 'error.notFound',
  conflict: 'error.conflict',
  payload_too_large: 'error.tooLarge',
  rate_limited: 'error.rateLimited',
  storage_full: 'error.storageFull',
  internal: 'error.internal',
  invalid_request: 'error.invalidRequest',
  malformed_json: 'error.invalidRequest',
  unsupported_encoding: 'error.invalidRequest',
  request_aborted: 'error.requestAborted',
  expected_multipart: 'error.badUpload',
  bad_upload: 'error.badUpload',
  file_missing: 'error.fileMissing',
  bad_blob_id: 'error.invalidRequest',
  bad_timestamp_request: 'error.invalidRequest',
  unsupported_media_type: 'error.invalidRequest',
  cross_origin: 'error.crossOrigin',
  unknown_event: 'error.outdatedPage',
  media_rejected: 'error.mediaRejected',
  media_node_unreachable: 'error.mediaNodeUnreachable',
  consent_required: 'error.consentRequired',
  not_joined: 'error.notJoined',
  too_many_transports: 'error.tooManyConnections',
  screen_share_forbidden: 'error.screenShareForbidden',
  screen_share_busy: 'error.screenShareBusy',
  user_exists: 'error.userExists',
  site_required: 'error.siteRequired',
  site_not_allowed: 'error.siteNotAllowed',
  not_a_signer: 'error.notASigner',
  not_current: 'error.certificateNotCurrent',
  password_change_required: 'error.passwordChangeRequired',
  account_locked: 'error.accountLocked',
  wrong_password: 'error.wrongPassword',
  password_reused: 'error.passwordReused',
  enrolment_invalid: 'error.enrolmentInvalid',
  invalid_transition: 'error.invalidTransition',
  invalid_state: 'error.invalidTransition',
  no_partnership: 'error.noPartnership',
  same_site: 'error.sameSite',
  no_open_session: 'error.noOpenSession',
  session_ended: 'error.sessionEnded',
  invitation_invalid: 'error.invitationInvalid',
  applicant_already_joined: 'error.applicantAlreadyJoined',
  applicant_not_bound: 'error.applicantNotBound',
  checklist_incomplete: 'error.checklistIncomplete',
  snapshots_missing: 'error.snapshotsMissing',
  applicant_not_present: 'error.applicantNotPresent',
  consent_missing: 'error.consentMissing',
  clerk_not_present: 'error.clerkNotPresent',
  recording_not_running: 'error.recordingNotRunning',
  applicant_not_recorded: 'error.applicantNotRecorded',
  snapshot_unavailable: 'error.snapshotUnavailable',
  snapshot_not_id: 'error.snapshotNotId',
  ocr_unavailable: 'error.ocrUnavailable',
  recording_missing: 'error.recordingMissing',
  recording_invalid: 'error.recordingInvalid',
  bad_image: 'error.badImage',
  not_your_turn: 'error.notYourTurn',
  already_signed: 'error.alreadySigned',
  document_closed: 'error.closed',
  pin_required: 'error.pinRequired',
  handwriting_required: 'error.handwritingRequired',
  no_event_certificate: 'error.noEventCertificate',
  ceremony_closed: 'error.closed',
  unknown_user: 'error.unknownUser',
  bad_signer: 'error.badSigner',
  pdf_not_pdf: 'error.pdfUnusable',
  pdf_empty: 'error.pdfUnusable',
  pdf_encrypted: 'error.pdfEncrypted',
  pdf_corrupt: 'error.pdfUnusable',
  pdf_too_large: 'error.tooLarge',
  pdf_unsupported: 'error.pdfUnusable',
  verify_unsupported_file: 'error.verifyUnsupported',
  legal_hold: 'error.legalHold',
  retention_unexpired: 'error.retentionUnexpired',
  record_deleted: 'error.recordDeleted',
  export_not_ready: 'error.exportNotReady',
  too_many_records: 'error.tooManyRecords',
  verification_not_ready: 'error.verificationNotReady',
  composite_not_ready: 'error.compositeNotReady',
  wrong_pin: 'error.wrongPin',
  key_locked: 'error.keyLocked',
  invalid_pin: 'error.invalidPin',
  invalid_input: 'error.invalidRequest',
  no_certificate: 'error.noCertificate',
  revoked: 'error.revoked',
  expired: 'error.certificateExpired',
  unknown_site: 'error.unknownSite',
  not_initialised: 'error.unavailable',
  database_unavailable: 'error.unavailable',
  bad_keystore: 'error.internal',
  tsa_error: 'error.unavailable',
  rating_exists: 'error.ratingExists',
  rating_not_open: 'error.ratingNotOpen',
  rating_not_applicant: 'error.ratingNotApplicant',
  rating_token_invalid: 'error.ratingTokenInvalid',
  blob_corrupt: 'error.blobCorrupt',
  blob_locked: 'error.blobLocked',
  face_snapshots_missing: 'error.faceSnapshotsMissing',
  face_check_busy: 'error.faceCheckBusy',
  face_engine_unavailable: 'error.faceEngineUnavailable',
  face_check_decided: 'error.faceCheckDecided',
  script_incomplete: 'error.scriptIncomplete',
  script_answer_unexpected: 'error.scriptAnswerUnexpected',
  script_not_running: 'error.scriptNotRunning',
  script_step_unanswered: 'error.scriptStepUnanswered',
  material_unsupported_type: 'error.materialUnsupportedType',
};

/** The table doubles as the list of known codes (a type-only import keeps zod out of the bundle). */
const isKnownCode = (code: string): code is ErrorCode => Object.hasOwn(errorMessages, code);

export function errorText(err: unknown, t: Translate): string {
  if (err instanceof ApiError) {
    if (isKnownCode(err.code)) return t(errorMessages[err.code]);
    // Not a server code: the network failed before an answer (http.ts), or someone else answered.
    if (err.code === 'network') return t('error.network');
    if (err.status === 401) return t('error.unauthenticated');
    if (err.status === 403) return t('error.forbidden');
    if (err.status === 404) return t('error.notFound');
    if (err.status === 409) return t('error.conflict');
    if (err.status >= 500) return t('error.internal');
    return t('error.withDetail', { detail: err.message });
  }
  // A refusal over the socket (media/signaling.ts's MediaRequestError) carries the same codes.
  const code = err instanceof Error && 'code' in err ? err.code : undefined;
  if (typeof code === 'string' && isKnownCode(code)) return t(errorMessages[code]);
  return t('error.unexpected');
}
