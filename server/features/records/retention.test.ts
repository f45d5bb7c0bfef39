// The retention rules on their own: the period counts from archiving, a legal hold always wins,
// and a deleted record cannot be deleted again.
import { describe, expect, test } from 'vitest';
import { deletionBlocker, retainUntil } from './retention.js';

const archived = new Date('2026-06-01T08:00:00.000Z');

describe('retention', () => {
  test('retain until archiving + the matter’s days', () => {
    expect(retainUntil(archived, 3650)).toBe('2036-05-29T08:00:00.000Z');
    expect(retainUntil(archived, 0)).toBe(archived.toISOString());
  });

  test('unexpired → retention_unexpired; expired → deletable; held → legal_hold at any time; deleted → record_deleted', () => {
    const until = retainUntil(archived, 10);
    const record = { legalHold: false, retainUntil: until, deletedAt: null };
    expect(deletionBlocker(record, new Date(Date.parse(until) - 1))?.code).toBe('retention_unexpired');
    expect(deletionBlocker(record, new Date(until))).toBeUndefined();
    expect(deletionBlocker({ ...record, legalHold: true }, new Date(Date.parse(until) + 86_400_000 * 365))?.code).toBe(
      'legal_hold',
    );
    expect(deletionBlocker({ ...record, deletedAt: until }, new Date(until))?.status).toBe(409);
    expect(deletionBlocker({ ...record, deletedAt: until }, new Date(until))?.code).toBe('record_deleted');
  });
});
