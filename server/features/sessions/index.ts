// The sessions feature's public surface: video sessions and who takes part in them.
export { type JoinedApplicant, type Participant, type Session, SessionService } from './SessionService.js';
export { type ParticipantPresence, type PresenceEvent, SessionPresence } from './SessionPresence.js';
export { sessionRoutes } from './routes.js';
