// The checks made of what was read off an ID card: the number's GB 11643 check character, its match
// with the case's applicant (through the keyed HMAC), the birth date and sex the number encodes
// against the printed ones, the printed name against the case, and the validity dates against today.
import type { IdCheckStatus, IdChecks, ValidityState } from '../../../../protocol/http/id-check.js';
import type { BackFields, FrontFields } from './id-card-fields.js';
import { idBirthDate, idChecksumValid, idSex } from './id-number.js';

export const uncheckedIds: IdChecks = {
  checksum: 'unread',
  matchesApplicant: 'unread',
  nameMatches: 'unread',
  birthMatches: 'unread',
  sexMatches: 'unread',
  validity: 'unread',
  validityState: 'unread',
};

const verdict = (ok: boolean): IdCheckStatus => (ok ? 'pass' : 'fail');

export function frontChecks(
  fields: FrontFields,
  applicant: { readonly name: string; readonly idMatches: (idNumber: string) => boolean },
): IdChecks {
  const id = fields.idNumber?.value;
  const unread = (x: unknown) => x === undefined;
  return {
    ...uncheckedIds,
    checksum: unread(id) ? 'unread' : verdict(idChecksumValid(id!)),
    matchesApplicant: unread(id) ? 'unread' : verdict(applicant.idMatches(id!)),
    nameMatches: unread(fields.name) ? 'unread' : verdict(fields.name!.value === applicant.name),
    birthMatches: unread(id) || unread(fields.birth) ? 'unread' : verdict(idBirthDate(id!) === fields.birth!.value),
    sexMatches: unread(id) || unread(fields.sex) ? 'unread' : verdict(idSex(id!) === fields.sex!.value),
  };
}

/** The card's validity on `today` (YYYY-MM-DD): 长期 cards never expire. */
export function validityOn(fields: BackFields, today: string): ValidityState {
  const from = fields.validFrom?.value;
  const to = fields.validTo?.value;
  if (!from || !to) return 'unread';
  if (today < from) return 'not_yet_valid';
  if (to === '长期') return 'long_term';
  return today > to ? 'expired' : 'valid';
}

export function backChecks(fields: BackFields, today: string): IdChecks {
  const state = validityOn(fields, today);
  return {
    ...uncheckedIds,
    validity: state === 'unread' ? 'unread' : verdict(state === 'valid' || state === 'long_term'),
    validityState: state,
  };
}

/** Front checks from the front read, validity from the back read. */
export function mergedChecks(front: IdChecks | undefined, back: IdChecks | undefined): IdChecks {
  return {
    ...(front ?? uncheckedIds),
    validity: back?.validity ?? 'unread',
    validityState: back?.validityState ?? 'unread',
  };
}

export function allPassed(checks: IdChecks): boolean {
  return Object.entries(checks).every(([k, v]) => k === 'validityState' || v === 'pass');
}
