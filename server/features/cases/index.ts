// The cases feature's public surface: cases and their queue, invitations, the applicant's ID number.
export { caseStatuses } from './case-state.js';
export { CaseService, type CaseSummary } from './CaseService.js';
export { IdNumberProtector, maskIdNumber } from './IdNumberProtector.js';
export { endGuestAccessWhenSessionsEnd } from './guest-access.js';
export { InvitationService } from './InvitationService.js';
export { caseFor, caseRoutes } from './routes.js';
export { caseSockets } from './socket.js';
