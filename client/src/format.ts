// Dates and case statuses for display.
import type { CaseStatus } from './api/types.js';
import type { Lang, MessageKey } from './i18n/i18n.js';

export function formatTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium' });
}

export const statusKey: Record<CaseStatus, MessageKey> = {
  created: 'status.created',
  queued: 'status.queued',
  in_session: 'status.in_session',
  identity_confirmed: 'status.identity_confirmed',
  signed: 'status.signed',
  archived: 'status.archived',
  rejected: 'status.rejected',
  cancelled: 'status.cancelled',
};

export function roleKey(role: string): MessageKey {
  switch (role) {
    case 'clerk':
    case 'official':
    case 'auditor':
    case 'admin':
    case 'applicant':
    case 'witness':
    case 'confirmer':
    case 'host':
    case 'signer':
    case 'screen': // a recording participant that is a clerk's screen share (issue 15 §5)
      return `role.${role}`;
    default:
      return 'role.participant';
  }
}
