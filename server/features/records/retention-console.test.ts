// The retention console (issue 16 §4) against a real server: settings per matter and per ceremony
// kind move the end of retention of live records; a legal hold needs a reason, names who set it
// and when, and keeps its record out of the sweep; the preview lists exactly what the sweep then
// destroys (records, blobs and recording files, with their bytes on disk); every change is audited;
// auditors read but do not change; bad input is refused with its code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { archivedCeremony, type ArchivedCeremony } from '../../test-support/archived-ceremony.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import { blobFile } from '../../test-support/blob-files.js';
import { TestServer } from '../../test-support/TestServer.js';
import type { DeletionPreview } from '../../../protocol/http/retention.js';
import { blobsOnlyOf } from './record-blobs.js';

const DAY_MS = 86_400_000;
let offsetMs = 0;
let server: TestServer;
let expiring: ArchivedCeremony;
let held: ArchivedCeremony;

beforeAll(async () => {
  server = await TestServer.start({ seed: true, record: true, clock: () => new Date(Date.now() + offsetMs) });
  expiring = await archivedCeremony(server);
  held = await archivedCeremony(server);
});

afterAll(async () => server?.dispose());

/** Logins expire when the clock jumps: a fresh one per step. */
const as = (user: 'admin' | 'auditor'): Promise<HttpClient> => server.login(user);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

async function auditOf(action: string, target?: string) {
  return (await server.app.services.audit.list({ action, target, limit: 20, offset: 0 })).entries;
}

test('auditors read the console but change nothing; bad input is refused with its code', async () => {
  const auditor = await as('auditor');
  const settings = await auditor.get('/api/retention');
  expect(settings.status).toBe(200);
  expect(settings.json().ceremonyKinds).toEqual([
    { kind: 'agreement', retentionDays: 10_950, updatedAt: null, updatedBy: null },
  ]);
  expect(settings.json().matters.length).toBeGreaterThan(0);
  expect((await auditor.get('/api/retention/preview')).status).toBe(200);
  for (const [method, path, json] of [
    ['PUT', '/api/retention/ceremony-kinds/agreement', { retentionDays: 30 }],
    ['PUT', `/api/retention/matters/${settings.json().matters[0].id}`, { retentionDays: 30 }],
    ['POST', '/api/retention/run', undefined],
    ['PUT', `/api/records/${held.recordId}/hold`, { hold: true, reason: '审计' }],
  ] as const) {
    const refused = await auditor.request(method, path, { json });
    expect([path, refused.status, refused.json().error.code]).toEqual([path, 403, 'forbidden']);
  }
  const clerk = await server.login('clerk.ninghai');
  expect((await clerk.get('/api/retention/preview')).status).toBe(403);

  const admin = await as('admin');
  for (const [path, json, status, code] of [
    ['/api/retention/ceremony-kinds/agreement', { retentionDays: 0 }, 400, 'invalid_request'],
    ['/api/retention/ceremony-kinds/agreement', { retentionDays: 36_501 }, 400, 'invalid_request'],
    ['/api/retention/ceremony-kinds/agreement', { retentionDays: 30, extra: 1 }, 400, 'invalid_request'],
    ['/api/retention/ceremony-kinds/lease', { retentionDays: 30 }, 400, 'invalid_request'],
    ['/api/retention/matters/no-such-matter', { retentionDays: 30 }, 404, 'not_found'],
    [`/api/records/${held.recordId}/hold`, { hold: true }, 400, 'invalid_request'],
    [`/api/records/${held.recordId}/hold`, { hold: true, reason: '   ' }, 400, 'invalid_request'],
    [`/api/records/${held.recordId}/hold`, { hold: false }, 400, 'invalid_request'],
    ['/api/records/00000000-0000-4000-8000-000000000000/hold', { hold: true, reason: '诉讼' }, 404, 'not_found'],
  ] as const) {
    const refused = await admin.request('PUT', path, { json });
    expect([path, refused.status, refused.json().error.code]).toEqual([path, status, code]);
  }
  const badId = await admin.get('/api/records/not-a-uuid/ltv-renewals');
  expect([badId.status, badId.json().error.code]).toEqual([400, 'invalid_request']);
});

test('the preview lists what the sweep then destroys; a hold with its reason keeps a record out; all audited', async () => {
  const { db, records, recording, blobs } = server.app.services;
  const admin = await as('admin');
  const hold = await admin.request('PUT', `/api/records/${held.recordId}/hold`, {
    json: { hold: true, reason: '诉讼保全（2026）民初 123 号' },
  });
  expect(hold.status).toBe(200);
  expect(hold.json()).toMatchObject({ legalHold: true, holdReason: '诉讼保全（2026）民初 123 号' });
  expect(hold.json().holdBy).toMatch(/^user:/);
  expect(Date.parse(hold.json().holdAt)).toBeGreaterThan(Date.now() - 60_000);
  expect((await admin.get('/api/retention')).json().holds.map((r: { id: string }) => r.id)).toEqual([held.recordId]);

  // Nothing is due yet: 30 years of retention.
  expect((await admin.get('/api/retention/preview')).json().records).toEqual([]);
  const changed = await admin.request('PUT', '/api/retention/ceremony-kinds/agreement', {
    json: { retentionDays: 30 },
  });
  expect(changed.status).toBe(200);
  expect(changed.json().ceremonyKinds[0]).toMatchObject({ kind: 'agreement', retentionDays: 30 });
  const moved = (await admin.get(`/api/records/${expiring.recordId}`)).json().record;
  expect(Date.parse(moved.retainUntil) - Date.parse(moved.archivedAt)).toBe(30 * DAY_MS);
  expect((await auditOf('retention.changed', 'ceremony-kind:agreement'))[0]).toMatchObject({
    actor: expect.stringMatching(/^user:/),
    details: { from: 10_950, to: 30, records: 2 },
  });

  offsetMs = 31 * DAY_MS;
  const auditor = await as('auditor');
  const preview: DeletionPreview = (await auditor.get('/api/retention/preview')).json();
  expect(preview.records.map((r) => r.record.id)).toEqual([expiring.recordId]);
  // Independently of the preview's code: the blobs the record alone references, its recording's files.
  const record = await records.store.get(expiring.recordId);
  const shas = await blobsOnlyOf(db, record);
  const blobFiles = shas.map((s) => blobFile(blobs, s));
  const recordingFiles = filesUnder((await recording.directory(expiring.sessionId))!);
  const bytes = (files: string[]) => files.reduce((n, f) => n + statSync(f).size, 0);
  expect(preview.records[0]).toMatchObject({
    blobs: blobFiles.length,
    blobBytes: bytes(blobFiles),
    recordingFiles: recordingFiles.length,
    recordingBytes: bytes(recordingFiles),
  });
  expect(preview.records[0]!.blobs).toBeGreaterThanOrEqual(4); // original, two signed revisions, completed
  expect(preview.records[0]!.recordingFiles).toBeGreaterThanOrEqual(2);
  expect(preview.totals).toEqual({
    records: 1,
    blobs: preview.records[0]!.blobs,
    blobBytes: preview.records[0]!.blobBytes,
    recordingFiles: preview.records[0]!.recordingFiles,
    recordingBytes: preview.records[0]!.recordingBytes,
  });
  const heldFiles = [
    ...(await blobsOnlyOf(db, await records.store.get(held.recordId))).map((s) => blobFile(blobs, s)),
    (await recording.directory(held.sessionId))!,
  ];

  const admin2 = await as('admin');
  const run = await admin2.post('/api/retention/run');
  expect(run.status).toBe(200);
  expect(run.json()).toEqual({
    deleted: [expiring.recordId],
    blobs: preview.records[0]!.blobs,
    recordingFiles: preview.records[0]!.recordingFiles,
  });
  expect([...blobFiles, ...recordingFiles].filter((f) => existsSync(f))).toEqual([]);
  expect(heldFiles.filter((f) => !existsSync(f))).toEqual([]);
  const deleted = await auditOf('record.deleted', `record:${expiring.recordId}`);
  expect(deleted).toHaveLength(1);
  expect(deleted[0]!.actor).toMatch(/^user:/);
  expect([...(deleted[0]!.details.blobs as string[])].sort()).toEqual([...shas].sort());
  expect((await admin2.get('/api/retention/preview')).json().records).toEqual([]);
  // The held record is refused one by one too.
  const refused = await admin2.request('DELETE', `/api/records/${held.recordId}`);
  expect([refused.status, refused.json().error.code]).toEqual([409, 'legal_hold']);

  // Cleared (with its reason), the held record is due: the preview shows it and the timer's sweep takes it.
  const cleared = await admin2.request('PUT', `/api/records/${held.recordId}/hold`, {
    json: { hold: false, reason: '案件审结' },
  });
  expect(cleared.json()).toMatchObject({ legalHold: false, holdReason: null, holdBy: null, holdAt: null });
  expect(
    (await admin2.get('/api/retention/preview')).json().records.map((r: { record: { id: string } }) => r.record.id),
  ).toEqual([held.recordId]);
  expect(await records.purgeExpired()).toBe(1);
  expect(heldFiles.filter((f) => existsSync(f))).toEqual([]);
  expect((await auditOf('record.deleted', `record:${held.recordId}`))[0]!.actor).toBe('system');
  expect((await auditOf('record.hold_set', `record:${held.recordId}`)).map((e) => e.details.reason)).toEqual([
    '诉讼保全（2026）民初 123 号',
  ]);
  expect((await auditOf('record.hold_cleared', `record:${held.recordId}`)).map((e) => e.details.reason)).toEqual([
    '案件审结',
  ]);
});

test('a matter retention change moves its live records and is audited', async () => {
  const admin = await as('admin');
  const matters = (await admin.get('/api/retention')).json().matters as { id: string; retentionDays: number }[];
  const matter = matters[0]!;
  const res = await admin.request('PUT', `/api/retention/matters/${matter.id}`, { json: { retentionDays: 5475 } });
  expect(res.status).toBe(200);
  expect(res.json().matters.find((m: { id: string }) => m.id === matter.id).retentionDays).toBe(5475);
  expect(
    (await admin.get('/api/matters')).json().matters.find((m: { id: string }) => m.id === matter.id),
  ).toMatchObject({
    retentionDays: 5475,
  });
  expect((await auditOf('retention.changed', `matter:${matter.id}`))[0]).toMatchObject({
    details: { from: matter.retentionDays, to: 5475, records: 0 },
  });
});
