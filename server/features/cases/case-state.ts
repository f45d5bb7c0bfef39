// The case life cycle as data: which status may follow which. Everything else is a 409.
import { ConflictError } from '../../kernel/errors.js';

export const caseStatuses = [
  'created',
  'queued',
  'in_session',
  'identity_confirmed',
  'signed',
  'archived',
  'rejected',
  'cancelled',
] as const;
export type CaseStatus = (typeof caseStatuses)[number];

const transitions: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  created: ['queued', 'cancelled'],
  queued: ['in_session', 'rejected', 'cancelled'],
  in_session: ['identity_confirmed', 'cancelled'],
  identity_confirmed: ['signed', 'cancelled'],
  signed: ['archived'],
  archived: [],
  rejected: [],
  cancelled: [],
};

export function canTransition(from: CaseStatus, to: CaseStatus): boolean {
  return transitions[from].includes(to);
}

export function assertTransition(from: CaseStatus, to: CaseStatus): void {
  if (!canTransition(from, to)) {
    throw new ConflictError(`a case that is ${from} cannot become ${to}`, 'invalid_transition');
  }
}

/** Statuses a site works on: shown in the live queue. */
export const openStatuses: readonly CaseStatus[] = ['created', 'queued', 'in_session', 'identity_confirmed', 'signed'];
