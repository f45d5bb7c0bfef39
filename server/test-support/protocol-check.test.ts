// The response check the test clients run: it must find the right route and fail on any field the
// protocol does not list, at any depth, and on error codes outside the vocabulary.
import { describe, expect, test } from 'vitest';
import { getCase } from '../../protocol/http/cases.js';
import { getCrl } from '../../protocol/http/pki.js';
import { getRecording } from '../../protocol/http/recording.js';
import { checkResponse, protocolRoutes, routeOf } from './protocol-check.js';

const caseId = '7d5f1c4e-8a61-4c1e-9a55-3f0f0d8e2b11';
const summary = {
  id: caseId,
  number: 'TB-1',
  status: 'queued',
  matter: { id: 'm', name: 'M' },
  originatingSite: { id: 'a', name: 'A' },
  handlingSite: { id: 'b', name: 'B' },
  partnershipId: 'p',
  applicant: { name: '王五', idMasked: '5225**********1234', phoneMasked: null },
  createdBy: 'user:x',
  acceptedBy: null,
  sessionId: null,
  createdAt: '2026-11-30T00:00:00Z',
  updatedAt: '2026-11-30T00:00:00Z',
  history: [{ at: '2026-11-30T00:00:00Z', actor: 'user:x', from: null, to: 'queued', note: null }],
};

describe('protocol response check', () => {
  test('routes are found by method and concrete path, query strings aside', () => {
    expect(protocolRoutes.length).toBeGreaterThan(50);
    expect(routeOf('GET', `/api/cases/${caseId}?x=1`)).toBe(getCase);
    expect(routeOf('GET', `/api/sessions/${caseId}/recording`)).toBe(getRecording);
    expect(routeOf('GET', '/pki/crl/cixi.crl')).toBe(getCrl);
    expect(routeOf('DELETE', `/api/cases/${caseId}`)).toBeUndefined();
  });

  test('a complete answer passes; an unlisted field fails at any depth', () => {
    expect(() => checkResponse('GET', `/api/cases/${caseId}`, 200, summary)).not.toThrow();
    expect(() => checkResponse('GET', `/api/cases/${caseId}`, 200, { ...summary, secret: 1 })).toThrow(/secret/);
    const deep = { ...summary, history: [{ ...summary.history[0], extra: true }] };
    expect(() => checkResponse('GET', `/api/cases/${caseId}`, 200, deep)).toThrow(/history\.0/);
    expect(() => checkResponse('GET', `/api/cases/${caseId}`, 200, { ...summary, status: 'lost' })).toThrow(/status/);
  });

  test('error bodies carry a listed code', () => {
    expect(() =>
      checkResponse('GET', `/api/cases/${caseId}`, 404, { error: { code: 'not_found', message: 'case not found' } }),
    ).not.toThrow();
    expect(() =>
      checkResponse('GET', `/api/cases/${caseId}`, 409, { error: { code: 'made_up', message: 'x' } }),
    ).toThrow(/code/);
  });
});
