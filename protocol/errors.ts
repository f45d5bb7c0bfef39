// The one error vocabulary of HTTP answers and socket acknowledgements: `{ error: { code, message } }`
// with `code` from this list. The server's messages are English; the client localises by code.
// protocol/errors.test.ts fails when server code produces a code that is not listed here.
import { z } from 'zod';

export const errorCodes = [
  // General (errors.ts, the error reply): any route or socket request.
  'bad_request',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'rate_limited',
  'storage_full',
  'internal',
  // The shared PostgreSQL is restarting or unreachable (cluster mode): retry shortly.
  'database_unavailable',
  // Request input: zod, body parser, multipart, blob names, the TSA's raw body.
  'invalid_request',
  'malformed_json',
  'unsupported_encoding',
  'request_aborted',
  'expected_multipart',
  'bad_upload',
  'file_missing',
  'bad_blob_id',
  'bad_timestamp_request',
  'unsupported_media_type',
  // Web hygiene: a state-changing request sent by a page of another site.
  'cross_origin',
  // Sockets and the media plane.
  'unknown_event',
  'media_rejected',
  'consent_required',
  'not_joined',
  'too_many_transports',
  // Media cascading (issue 14 §4): the node holding the session's home room did not answer.
  'media_node_unreachable',
  // Screen sharing (issue 15 §5): clerks only; one share at a time in a room.
  'screen_share_forbidden',
  'screen_share_busy',
  // Accounts and certificates (admin).
  'user_exists',
  'site_required',
  'site_not_allowed',
  'not_a_signer',
  'not_current',
  // One's own account: forced password change, login throttle, PIN enrolment.
  'password_change_required',
  'account_locked',
  'wrong_password',
  'password_reused',
  'enrolment_invalid',
  // Cases, sessions, invitations.
  'invalid_transition',
  // Archiving a case needs its sealed, intact recording.
  'recording_missing',
  'recording_invalid',
  'invalid_state',
  'no_partnership',
  'same_site',
  'no_open_session',
  'session_ended',
  'invitation_invalid',
  'applicant_already_joined',
  'applicant_not_bound',
  // Identity confirmation (flow A).
  'checklist_incomplete',
  'snapshots_missing',
  // Session preconditions of the confirmation (issue 12): presence, consent and the recording.
  'applicant_not_present',
  'consent_missing',
  'clerk_not_present',
  'recording_not_running',
  'applicant_not_recorded',
  'snapshot_unavailable',
  'bad_image',
  // Signing documents in turn.
  'not_your_turn',
  'already_signed',
  'document_closed',
  'pin_required',
  'handwriting_required',
  'no_event_certificate',
  // Ceremonies (flow B) and their agreement PDF (signing/ PdfError codes, prefixed `pdf_`).
  'ceremony_closed',
  'unknown_user',
  'bad_signer',
  'pdf_not_pdf',
  'pdf_empty',
  'pdf_encrypted',
  'pdf_corrupt',
  'pdf_too_large',
  'pdf_unsupported',
  // Public verification (/verify): an upload that is neither a PDF nor a zip.
  'verify_unsupported_file',
  // Records and evidence (flow C).
  'legal_hold',
  'retention_unexpired',
  'record_deleted',
  'export_not_ready',
  // Batch verification of a search result (issue 16 §3).
  'too_many_records',
  'verification_not_ready',
  // A redacted copy of the playback video needs the finished composite (and its tile layout).
  'composite_not_ready',
  // The platform PKI (certs/ PkiError codes, passed through).
  'wrong_pin',
  'key_locked',
  'invalid_pin',
  'invalid_input',
  'no_certificate',
  'revoked',
  'expired',
  'unknown_site',
  'not_initialised',
  'bad_keystore',
  'tsa_error',
  // 好差评 ratings (issue 16 §6).
  'rating_exists',
  'rating_not_open',
  'rating_not_applicant',
  'rating_token_invalid',
  // Object storage (issue 14 §3): a blob that no longer hashes to its name; a blob under Object Lock.
  'blob_corrupt',
  'blob_locked',
  // Face match and liveness advice (issue 15 §3).
  'face_snapshots_missing',
  'face_check_busy',
  'face_engine_unavailable',
  'face_check_decided',
  // ID card reading (issue 15 §2): only ID snapshots are read; tesseract missing or failing.
  'snapshot_not_id',
  'ocr_unavailable',
  // Scripted 意愿确认 and materials (issue 15 §1, §4).
  'script_incomplete',
  'script_answer_unexpected',
  'script_not_running',
  'script_step_unanswered',
  'material_unsupported_type',
] as const;

export type ErrorCode = (typeof errorCodes)[number];
export const errorCode = z.enum(errorCodes);

const known: ReadonlySet<string> = new Set(errorCodes);
/** Narrows a code read from the network (an older or newer server may send others). */
export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && known.has(code);

/** What an error carries on the wire, in HTTP bodies and in socket acknowledgements alike. */
export const errorReply = z.object({ code: errorCode, message: z.string() });
export type ErrorReply = z.infer<typeof errorReply>;

/** Every 4xx/5xx JSON body. */
export const errorBody = z.object({ error: errorReply });
export type ErrorBody = z.infer<typeof errorBody>;
