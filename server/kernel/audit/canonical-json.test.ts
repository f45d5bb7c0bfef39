import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { entryHash, GENESIS_HASH } from './AuditLog.js';

test('sorted keys at every depth, no whitespace, undefined members dropped, strings escaped as JSON', () => {
  const a = canonicalJson({ b: 1, a: { d: [3, { z: null, y: '慈溪' }], c: true }, u: undefined });
  const b = canonicalJson({ a: { c: true, d: [3, { y: '慈溪', z: null }] }, b: 1 });
  expect(a).toBe('{"a":{"c":true,"d":[3,{"y":"慈溪","z":null}]},"b":1}');
  expect(b).toBe(a);
  expect(canonicalJson('line\n"quoted"')).toBe('"line\\n\\"quoted\\""');
  expect(canonicalJson([])).toBe('[]');
  expect(() => canonicalJson(Number.NaN)).toThrow(/non-finite/);
});

test('an entry hash commits to every field, including the previous hash', () => {
  const entry = {
    id: 1,
    at: '2026-11-27T08:00:00.000Z',
    actor: 'user:clerk.cixi',
    action: 'case.created',
    target: 'case:x',
    siteId: 'cixi',
    details: { n: 1 },
    prevHash: GENESIS_HASH,
  };
  const expected = createHash('sha256')
    .update(
      `{"action":"case.created","actor":"user:clerk.cixi","at":"2026-11-27T08:00:00.000Z","details":{"n":1},"id":1,"prev_hash":"${GENESIS_HASH}","site":"cixi","target":"case:x"}`,
    )
    .digest('hex');
  expect(entryHash(entry)).toBe(expected);
  for (const change of [
    { id: 2 },
    { actor: 'user:other' },
    { details: { n: 2 } },
    { prevHash: '1'.repeat(64) },
    { siteId: null },
  ]) {
    expect(entryHash({ ...entry, ...change })).not.toBe(expected);
  }
});
