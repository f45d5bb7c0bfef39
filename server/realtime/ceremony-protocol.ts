// socket.io messages of the signing ceremony (远程云签约) and evidence exports, shared by server
// and client. Requests are acknowledged with the usual Ack; pushes go to a ceremony's room.
import { z } from 'zod';
import type { CeremonyState } from '../features/ceremony/index.js';
import type { EvidenceJob } from '../features/evidence/index.js';
import type { AckFn } from './protocol.js';

export const ceremonyRequests = {
  /** Enter the ceremony's room; the ack carries the current state. */
  'ceremony:join': z.object({ ceremonyId: z.string().uuid() }).strict(),
  'ceremony:leave': z.object({ ceremonyId: z.string().uuid() }).strict(),
  /** Host only: turn everyone to this page. */
  'ceremony:page': z.object({ ceremonyId: z.string().uuid(), page: z.number().int().min(1).max(100_000) }).strict(),
} as const;

export interface CeremonySignatureEvent {
  readonly ceremonyId: string;
  readonly position: number;
  readonly name: string;
  readonly signedAt: string;
  /** SHA-256 of the PDF revision that now carries the signature. */
  readonly sha256: string;
}

export interface CeremonyClientToServerEvents {
  'ceremony:join': (p: z.infer<(typeof ceremonyRequests)['ceremony:join']>, ack: AckFn<CeremonyState>) => void;
  'ceremony:leave': (p: z.infer<(typeof ceremonyRequests)['ceremony:leave']>, ack: AckFn<{ left: true }>) => void;
  'ceremony:page': (p: z.infer<(typeof ceremonyRequests)['ceremony:page']>, ack: AckFn<CeremonyState>) => void;
}

export interface CeremonyServerToClientEvents {
  /** Everything about the ceremony after any change (page, turn, signature, abort). */
  'ceremony:state': (state: CeremonyState) => void;
  /** A signature just landed. */
  'ceremony:signed': (event: CeremonySignatureEvent) => void;
  /** Progress of an evidence export the socket's user started. */
  'evidence:progress': (job: EvidenceJob) => void;
}

export const ceremonyRoom = (ceremonyId: string) => `ceremony:${ceremonyId}`;
export const userRoom = (userId: string) => `user:${userId}`;
