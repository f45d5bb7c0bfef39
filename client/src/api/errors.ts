// Server error codes → sentences a clerk understands. Unknown codes fall back to the HTTP class.
import type { MessageKey, Translate } from '../i18n/i18n.js';
import { ApiError } from './http.js';

const byCode: Record<string, MessageKey> = {
  unauthenticated: 'error.unauthenticated',
  forbidden: 'error.forbidden',
  not_found: 'error.notFound',
  invalid_request: 'error.invalidRequest',
  bad_request: 'error.invalidRequest',
  invalid_transition: 'error.invalidTransition',
  conflict: 'error.conflict',
  no_open_session: 'error.noOpenSession',
  rate_limited: 'error.rateLimited',
  payload_too_large: 'error.tooLarge',
  wrong_pin: 'error.wrongPin',
  key_locked: 'error.keyLocked',
  revoked: 'error.revoked',
  not_your_turn: 'error.notYourTurn',
  already_signed: 'error.alreadySigned',
  checklist_incomplete: 'error.checklistIncomplete',
  snapshots_missing: 'error.snapshotsMissing',
  applicant_absent: 'error.applicantAbsent',
  witness_absent: 'error.witnessAbsent',
  handwriting_required: 'error.handwritingRequired',
  pin_required: 'error.wrongPin',
  document_closed: 'error.closed',
  ceremony_closed: 'error.closed',
  invalid_state: 'error.invalidTransition',
  unknown_user: 'error.unknownUser',
  bad_signer: 'error.badSigner',
  pdf_encrypted: 'error.pdfUnusable',
  pdf_corrupt: 'error.pdfUnusable',
  pdf_empty: 'error.pdfUnusable',
  invitation_invalid: 'error.invitationInvalid',
  invitation_expired: 'error.invitationInvalid',
  invitation_used: 'error.invitationInvalid',
  pki_unavailable: 'error.unavailable',
  not_initialised: 'error.unavailable',
  network: 'error.network',
  internal: 'error.internal',
};

export function errorText(err: unknown, t: Translate): string {
  if (err instanceof ApiError) {
    const key = byCode[err.code];
    if (key) return t(key);
    if (err.status === 401) return t('error.unauthenticated');
    if (err.status === 403) return t('error.forbidden');
    if (err.status === 404) return t('error.notFound');
    if (err.status === 409) return t('error.conflict');
    if (err.status >= 500) return t('error.internal');
    return t('error.withDetail', { detail: err.message });
  }
  return t('error.unexpected');
}
