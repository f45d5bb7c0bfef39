// The renewal policy of signing/ltv-renewal.ts on its own: when a timestamp is due (its TSA
// certificate or its hash within the margin) and which hash a renewal uses.
import { describe, expect, test } from 'vitest';
import { renewalDigest, renewalReason, type RenewalPolicy, type TimestampFacts } from './sign/ltv-renewal.js';

const now = new Date('2030-01-01T00:00:00Z');
const policy = (weakening: RenewalPolicy['weakening'] = []): RenewalPolicy => ({ now, marginDays: 90, weakening });
const stamp = (notAfter: string | undefined, digest: TimestampFacts['digest'] = 'SHA-256'): TimestampFacts => ({
  field: 'DocTimeStamp',
  kind: 'document-timestamp',
  time: '2026-01-01T00:00:00.000Z',
  digest,
  tsa: notAfter === undefined ? undefined : { name: 'TSA', notAfter, certificate: new Uint8Array() },
});

describe('LTV renewal policy', () => {
  test('the TSA certificate: due within the margin, not before; a token without one is due', () => {
    expect(renewalReason(stamp('2030-03-31T00:00:00Z'), policy())).toBe('tsa_certificate_expiring');
    expect(renewalReason(stamp('2030-04-02T00:00:00Z'), policy())).toBeUndefined();
    expect(renewalReason(stamp(undefined), policy())).toBe('tsa_certificate_expiring');
  });

  test('a weakening hash: due within the margin of its end; an unknown hash is due', () => {
    const far = '2035-01-01T00:00:00Z';
    expect(renewalReason(stamp(far), policy([{ algorithm: 'SHA-256', endsAt: '2030-03-01' }]))).toBe(
      'algorithm_weakening',
    );
    expect(renewalReason(stamp(far), policy([{ algorithm: 'SHA-256', endsAt: '2031-01-01' }]))).toBeUndefined();
    expect(renewalReason(stamp(far, 'SHA-512'), policy([{ algorithm: 'SHA-256', endsAt: '2030-03-01' }]))).toBe(
      undefined,
    );
    expect(renewalReason({ ...stamp(far), digest: undefined }, policy())).toBe('algorithm_weakening');
  });

  test('the renewal hash: the first not weakening within the margin; none left is an error', () => {
    expect(renewalDigest(policy())).toBe('SHA-256');
    expect(renewalDigest(policy([{ algorithm: 'SHA-256', endsAt: '2030-02-01' }]))).toBe('SHA-384');
    expect(
      renewalDigest(
        policy([
          { algorithm: 'SHA-256', endsAt: '2030-02-01' },
          { algorithm: 'SHA-384', endsAt: '2030-02-01' },
        ]),
      ),
    ).toBe('SHA-512');
    expect(() =>
      renewalDigest(
        policy(['SHA-256', 'SHA-384', 'SHA-512'].map((a) => ({ algorithm: a as 'SHA-256', endsAt: '2030-02-01' }))),
      ),
    ).toThrow(RangeError);
  });
});
