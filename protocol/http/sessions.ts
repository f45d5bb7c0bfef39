// Video sessions: participants (and auditors) read them; applicants join with an invitation code.
import { z } from 'zod';
import { idParams, route } from '../common.js';

export const sessionKinds = ['case', 'ceremony'] as const;

export const participant = z.object({
  participantId: z.string(),
  userId: z.string().nullable(),
  guest: z.boolean(),
  displayName: z.string(),
  role: z.string(),
  addedAt: z.string(),
});
export type Participant = z.infer<typeof participant>;

export const session = z.object({
  id: z.string(),
  kind: z.enum(sessionKinds),
  caseId: z.string().nullable(),
  ceremonyId: z.string().nullable(),
  status: z.enum(['open', 'ended']),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** The session's current flow document (identity confirmation or agreement), once there is one. */
  documentId: z.string().nullable(),
  participants: z.array(participant),
});
export type SessionInfo = z.infer<typeof session>;

export const joinBody = z.object({ code: z.string().trim().min(4).max(32) }).strict();
export const joined = z.object({
  guestId: z.string(),
  sessionId: z.string(),
  caseId: z.string().nullable(),
  displayName: z.string(),
});
export type Joined = z.infer<typeof joined>;

export const getSession = route({ method: 'get', path: '/api/sessions/:id', params: idParams, response: session });
export const joinSession = route({ method: 'post', path: '/api/join', auth: 'none', body: joinBody, response: joined });
