// Retention end destroys the data (issue 12 §3): a signed ceremony archived as a record, its
// retention run out, is purged by the retention sweep — the agreement's PDF revisions, the evidence
// package and the recording's files are gone from disk, every download answers 404/410, and the
// audit log says what went (hashes, not content). A legal hold blocks the sweep and the admin's
// deletion alike (409 legal_hold).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { archivedCeremony } from '../../test-support/archived-ceremony.js';
import { blobFile } from '../../test-support/blob-files.js';
import { TestServer } from '../../test-support/TestServer.js';
import { CEREMONY_RETENTION_DAYS } from './RecordService.js';

let offsetMs = 0;
let server: TestServer;
let recordId: string;
let documentId: string;
let sessionId: string;

beforeAll(async () => {
  server = await TestServer.start({ seed: true, record: true, clock: () => new Date(Date.now() + offsetMs) });
  ({ recordId, documentId, sessionId } = await archivedCeremony(server));
});

afterAll(async () => server?.dispose());

test('retention end destroys the data; a legal hold blocks the sweep and the deletion (409 legal_hold)', async () => {
  const { blobs, db, records, recording } = server.app.services;
  let auditor = await server.login('auditor');
  const job = await auditor.post(`/api/records/${recordId}/evidence`);
  expect(job.status).toBe(202);
  let exported: { status: string; sha256: string | null } = { status: 'running', sha256: null };
  while (exported.status === 'running') {
    await new Promise((r) => setTimeout(r, 200));
    exported = (await auditor.get(`/api/evidence-jobs/${job.json().id}`)).json();
  }
  expect(exported.status).toBe('done');
  const shas = [
    ...(await db.all<{ s: string }>('SELECT original_sha256 AS s FROM documents WHERE id = ?', [documentId])),
    ...(await db.all<{ s: string }>('SELECT signed_sha256 AS s FROM document_signers WHERE document_id = ?', [
      documentId,
    ])),
    ...(await db.all<{ s: string }>('SELECT current_sha256 AS s FROM documents WHERE id = ?', [documentId])),
    { s: exported.sha256! },
  ].map((r) => r.s);
  const files = [...shas.map((s) => blobFile(blobs, s)), (await recording.directory(sessionId))!];
  expect(files).toHaveLength(6);
  expect(files.filter((f) => !existsSync(f))).toEqual([]);

  expect(await records.purgeExpired()).toBe(0); // retention not over
  const admin = await server.login('admin');
  await admin.request('PUT', `/api/records/${recordId}/hold`, { json: { hold: true, reason: '诉讼保全' } });
  offsetMs = (CEREMONY_RETENTION_DAYS + 1) * 86_400_000;
  const admin2 = await server.login('admin');
  expect(await records.purgeExpired()).toBe(0); // held: the sweep passes it by
  const refused = await admin2.request('DELETE', `/api/records/${recordId}`);
  expect([refused.status, refused.json().error.code]).toEqual([409, 'legal_hold']);
  expect(files.filter((f) => !existsSync(f))).toEqual([]);

  await admin2.request('PUT', `/api/records/${recordId}/hold`, { json: { hold: false, reason: '保全解除' } });
  expect(await records.purgeExpired()).toBe(1);
  expect(files.filter((f) => existsSync(f))).toEqual([]);
  auditor = await server.login('auditor');
  for (const path of [
    `/api/documents/${documentId}`,
    `/api/documents/${documentId}/verification`,
    `/api/records/${recordId}`,
    `/api/records/${recordId}/evidence.zip`,
    `/api/evidence-jobs/${job.json().id}/download`,
    `/api/sessions/${sessionId}/recording/composite.mp4`,
  ]) {
    const res = await auditor.get(path);
    expect({ path, gone: [404, 410].includes(res.status) }).toEqual({ path, gone: true });
  }
  const pdf = await auditor.get(`/api/documents/${documentId}`);
  expect([pdf.status, pdf.json().error.code]).toEqual([410, 'record_deleted']);
  const deleted = (
    await server.app.services.audit.list({
      action: 'record.deleted',
      target: `record:${recordId}`,
      limit: 5,
      offset: 0,
    })
  ).entries;
  expect(deleted).toHaveLength(1);
  expect(deleted[0]).toMatchObject({ actor: 'system', details: { reason: 'retention_ended', session: sessionId } });
  expect([...(deleted[0]!.details.blobs as string[])].sort()).toEqual([...new Set(shas)].sort());
  // What remains of the recording: its chain as hashes in the database, no media.
  expect((await recording.store.segments(sessionId)).map((s) => s.sha256)).toHaveLength(2);
});
