// Flow A end to end through the real HTTP API: snapshots, checklist, identity confirmation, the
// three ordered signatures (applicant in the guest session with handwriting, witness and
// confirmation with PINs) plus DSS and document timestamp, archive, auditor search and detail,
// evidence package (direct and as a job) checked by our verifier, pdfsig, openssl and sha256sum,
// and the retention rules. No browsers publish media here: the recorder's real store, chain,
// checkpoints and sealing run on segments written straight into its store.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { fromPem } from '../../../certs/encoding.js';
import { DEMO_PIN } from '../../demo/demo-data.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import { TestServer } from '../../test-support/TestServer.js';
import type { RecordingStore } from '../recording/index.js';
import { evidenceChecks } from '../evidence/index.js';
import { verifyEvidencePackage } from '../evidence/index.js';
import { readZip } from '../evidence/index.js';
import { handwritingDataUrl, multipart, pdfsig, testImage } from '../../test-support/flow-fixtures.js';
import { appendStoredSegment } from '../../test-support/synthetic-recording.js';
import { privateModes } from '../../test-support/private-modes.js';
import { readmeCommandsOnPackage, withFlippedByte } from '../../test-support/package-tools.js';

const checklist = { faceVisible: true, idFrontShown: true, idBackShown: true, statedNameAndPurpose: true };
let offsetMs = 0;
let server: TestServer;
let xingren: HttpClient;
let cixi: HttpClient;
let guest: HttpClient;
let auditor: HttpClient;
let admin: HttpClient;
let caseId: string;
let caseNumber: string;
let documentId: string;
let recordId: string;
const cleanup: string[] = [];
let store: RecordingStore;
let recordedSession: string;

const snapshot = (client: HttpClient, kind: string, bytes: Uint8Array, type = 'image/png') => {
  const { body, headers } = multipart({ kind }, { field: 'image', filename: 'snap', type, bytes });
  return client.post(`/api/cases/${caseId}/snapshots`, undefined, { body, headers });
};

beforeAll(async () => {
  server = await TestServer.start({ seed: true, record: true, clock: () => new Date(Date.now() + offsetMs) });
  [xingren, cixi, auditor, admin] = (await Promise.all(
    ['clerk.xingren', 'clerk.cixi', 'auditor', 'admin'].map((u) => server.login(u)),
  )) as [HttpClient, HttpClient, HttpClient, HttpClient];
  const created = await xingren.post('/api/cases', {
    matterId: 'shebao-tingjiao',
    handlingSite: 'cixi',
    applicant: { name: '王五', idNumber: '522501199001011234' },
  });
  expect(created.status).toBe(201);
  ({ id: caseId, number: caseNumber } = created.json());
  expect((await cixi.post(`/api/cases/${caseId}/accept`)).status).toBe(200);
  const { code, sessionId } = (await cixi.post(`/api/cases/${caseId}/invitations`)).json();
  // The recorder's store, chain and sealing are real; only the ffmpeg capture is replaced by
  // segments written straight into the store (no browsers publish media in this test).
  store = server.app.services.recording.store;
  recordedSession = sessionId;
  await appendStoredSegment(store, server.dataDir, sessionId);
  await appendStoredSegment(store, server.dataDir, sessionId);
  guest = server.client();
  expect((await guest.post('/api/join', { code })).status).toBe(200);
});

afterAll(async () => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
  await server?.dispose();
});

describe('flow A: remote identity confirmation', () => {
  test('snapshots: only the handling clerk, only PNG/JPEG by content, bounded size; hashed and placed on the timeline', async () => {
    expect((await snapshot(xingren, 'face', testImage('png'))).status).toBe(403);
    expect((await snapshot(cixi, 'face', Buffer.from('GIF89a not an allowed image'))).status).toBe(400);
    expect((await snapshot(cixi, 'hand', testImage('png'))).status).toBe(400);
    expect(
      (await snapshot(cixi, 'face', Buffer.concat([testImage('png'), Buffer.alloc(5 * 1024 * 1024)]))).status,
    ).toBe(413);
    const face = await snapshot(cixi, 'face', testImage('png'));
    expect(face.status).toBe(201);
    expect(face.json()).toMatchObject({ kind: 'face', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(face.json().offsetMs).toBeGreaterThanOrEqual(0);
    expect((await snapshot(cixi, 'id', testImage('jpeg'), 'image/jpeg')).status).toBe(201);
    const list = (await cixi.get(`/api/cases/${caseId}/snapshots`)).json().snapshots;
    expect(list.map((s: { kind: string; mediaType: string }) => [s.kind, s.mediaType])).toEqual([
      ['face', 'image/png'],
      ['id', 'image/jpeg'],
    ]);
  });

  test('confirmation needs the whole checklist and the handling clerk; it renders the PDF and issues the event certificate', async () => {
    expect(
      (await cixi.post(`/api/cases/${caseId}/confirm-identity`, { checklist: { ...checklist, idBackShown: false } }))
        .status,
    ).toBe(400);
    expect((await xingren.post(`/api/cases/${caseId}/confirm-identity`, { checklist })).status).toBe(403);
    const confirmed = await cixi.post(`/api/cases/${caseId}/confirm-identity`, { checklist });
    expect(confirmed.status).toBe(201);
    documentId = confirmed.json().documentId;
    await appendStoredSegment(store, server.dataDir, recordedSession);
    expect((await cixi.get(`/api/cases/${caseId}`)).json().status).toBe('identity_confirmed');
    const pdf = await guest.get(`/api/documents/${documentId}`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toMatch(/application\/pdf/);
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
    const events = server.app.services.pki.certificates({}).filter((c: { kind: string }) => c.kind === 'event');
    expect(events).toHaveLength(1);
    const { guestId } = (await guest.get('/api/me')).json();
    expect(events[0]).toMatchObject({
      eventId: `case:${caseId}:document:${documentId}:guest:${guestId}`,
      siteId: 'xingren',
    });
    expect(events[0]?.subject).toContain(`UID=case:${caseId}:document:${documentId}:guest:${guestId}`);
    // The applicant is named by a per-case pseudonym, never by the ID number's HMAC.
    const { id_hmac } = server.app.services.db.sql.prepare('SELECT id_hmac FROM cases WHERE id = ?').get(caseId) as {
      id_hmac: string;
    };
    expect(events[0]?.subject).toContain(`serialNumber=${server.app.services.pki.caseRef(caseId)}`);
    expect(events[0]?.subject).not.toContain(id_hmac);
  });

  test('signing order applicant → witness → confirmation; out of order or repeated is 409', async () => {
    const sign = (c: HttpClient, body: Record<string, string>) => c.post(`/api/documents/${documentId}/sign`, body);
    expect((await sign(xingren, { pin: DEMO_PIN })).status).toBe(409);
    expect((await sign(cixi, { pin: DEMO_PIN })).status).toBe(409);
    expect((await sign(auditor, { pin: DEMO_PIN })).status).toBe(403);
    expect((await sign(guest, {})).status).toBe(400);
    const first = await sign(guest, { handwriting: handwritingDataUrl() });
    expect(first.status).toBe(200);
    expect(first.json().next).toMatchObject({ position: 2, role: 'witness' });
    expect((await sign(guest, { handwriting: handwritingDataUrl() })).status).toBe(409);
    expect((await sign(xingren, { pin: '000000' })).status).toBe(403);
    expect((await sign(xingren, { pin: DEMO_PIN })).json().next).toMatchObject({ position: 3, role: 'confirmer' });
    const last = await sign(cixi, { pin: DEMO_PIN });
    expect(last.status).toBe(200);
    expect(last.json()).toMatchObject({ status: 'signed', next: null });
    expect((await sign(cixi, { pin: DEMO_PIN })).status).toBe(409);
    expect((await cixi.get(`/api/cases/${caseId}`)).json().status).toBe('signed');
  });

  test('a case cancelled during signing closes its document and ends guest access: further signatures are refused', async () => {
    const other = (
      await xingren.post('/api/cases', {
        matterId: 'shebao-tingjiao',
        handlingSite: 'cixi',
        applicant: { name: '赵六', idNumber: '522501199202021234' },
      })
    ).json().id;
    await cixi.post(`/api/cases/${other}/accept`);
    const applicant = server.client();
    await applicant.post('/api/join', { code: (await cixi.post(`/api/cases/${other}/invitations`)).json().code });
    for (const [kind, type, bytes] of [
      ['face', 'image/png', testImage('png')],
      ['id', 'image/jpeg', testImage('jpeg')],
    ] as const) {
      const { body, headers } = multipart({ kind }, { field: 'image', filename: 'snap', type, bytes });
      expect((await cixi.post(`/api/cases/${other}/snapshots`, undefined, { body, headers })).status).toBe(201);
    }
    const doc = (await cixi.post(`/api/cases/${other}/confirm-identity`, { checklist })).json().documentId;
    expect((await xingren.post(`/api/cases/${other}/cancel`, { reason: '申请人撤回' })).status).toBe(200);
    // The applicant's guest access ended with the session; staff signers meet the closed document.
    expect((await applicant.post(`/api/documents/${doc}/sign`, { handwriting: handwritingDataUrl() })).status).toBe(
      401,
    );
    const refused = await xingren.post(`/api/documents/${doc}/sign`, { pin: DEMO_PIN });
    expect(refused.status).toBe(409);
    expect(refused.json().error.code).toBe('document_closed');
    expect((await cixi.get(`/api/documents/${doc}/status`)).json().status).toBe('aborted');
  });

  test('the signed PDF: our verifier and pdfsig agree, three signatures plus a document timestamp', async () => {
    const report = (await cixi.get(`/api/documents/${documentId}/verification`)).json();
    expect(report.valid).toBe(true);
    expect(report.signatures.map((s: { level: string }) => s.level)).toEqual([
      'B-LTA',
      'B-LTA',
      'B-LTA',
      'document-timestamp',
    ]);
    const pdf = (await cixi.get(`/api/documents/${documentId}`)).body;
    const out = pdfsig(pdf, server.rootPem);
    expect(out.output.match(/Signature #\d/g)).toHaveLength(4);
    expect(out.output.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(3);
    expect(out.output.match(/Certificate Validation: Certificate is Trusted\./g)).toHaveLength(3);
    // pdfsig 22.12 lists the document timestamp but cannot validate that type (our verifier did, above).
    const timestamp = out.output.split('Signature #4:')[1] ?? '';
    expect(timestamp).toMatch(/Signer Certificate Common Name: Tongban Platform TSA/);
    expect(timestamp).toMatch(/Total document signed/);
  });

  test('archive: only when signed, by the handling site; the session ends', async () => {
    expect((await xingren.post(`/api/cases/${caseId}/archive`)).status).toBe(403);
    const archived = await cixi.post(`/api/cases/${caseId}/archive`);
    expect(archived.status).toBe(201);
    recordId = archived.json().recordId;
    expect((await cixi.get(`/api/cases/${caseId}`)).json().status).toBe('archived');
    expect((await cixi.post(`/api/cases/${caseId}/archive`)).status).toBe(409);
    // Guest access ended with the session.
    expect((await guest.get(`/api/documents/${documentId}`)).status).toBe(401);
  });

  test('auditors search and read records; every read is audited; clerks may not', async () => {
    expect((await cixi.get('/api/records')).status).toBe(403);
    for (const query of [
      `q=${caseNumber}`,
      'site=xingren',
      'matter=shebao-tingjiao',
      'participant=clerk.cixi',
      'q=王五',
      `from=2000-01-01`,
    ]) {
      const found = (await auditor.get(`/api/records?${encodeURI(query)}`)).json();
      expect(
        found.records.map((r: { id: string }) => r.id),
        query,
      ).toContain(recordId);
    }
    expect((await auditor.get('/api/records?matter=huji-qianru')).json().total).toBe(0);
    const detail = (await auditor.get(`/api/records/${recordId}`)).json();
    expect(detail.record).toMatchObject({ number: caseNumber, legalHold: false });
    expect(detail.documents[0].verification.valid).toBe(true);
    expect(detail.snapshots).toHaveLength(2);
    expect(detail.recording).toMatchObject({ status: 'sealed', valid: true, segmentCount: 3 });
    expect(detail.documents[0].checkpoint).toMatchObject({ segmentCount: 2 });
    expect(detail.audit.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['identity.confirmed', 'document.signed', 'record.archived']),
    );
    const reads = (await auditor.get(`/api/audit?action=data.read&actor=user:auditor&limit=200`)).json();
    expect(reads.entries.map((e: { target: string }) => e.target)).toEqual(
      expect.arrayContaining(['records', `record:${recordId}`]),
    );
  });

  test('evidence package: verifies, names any changed file, passes openssl + sha256sum; the job path gives a valid package too', async () => {
    const res = await auditor.get(`/api/records/${recordId}/evidence.zip`);
    expect(res.status).toBe(200);
    const root = fromPem(server.rootPem);
    const report = await verifyEvidencePackage(res.body, root, evidenceChecks);
    expect(report.problems).toEqual([]);
    const names = [...(await readZip(res.body)).files.keys()];
    expect(names).toEqual(
      expect.arrayContaining([
        'manifest.json',
        'SHA256SUMS',
        'SHA256SUMS.p7s',
        'audit.jsonl',
        'certs/chain.pem',
        'certs/root.crl',
      ]),
    );
    expect(names.filter((n) => n.startsWith('documents/'))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith('snapshots/'))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith('recording/')).sort()).toEqual([
      'recording/guest_applicant/seg-00000.webm',
      'recording/guest_applicant/seg-00001.webm',
      'recording/guest_applicant/seg-00002.webm',
      'recording/manifest.json',
      'recording/manifest.json.p7s',
    ]);
    for (const file of names) {
      const bad = await verifyEvidencePackage(await withFlippedByte(res.body, file), root, evidenceChecks);
      expect([...new Set(bad.problems.map((p) => p.file))], file).toEqual([file]);
    }
    const cmds = await readmeCommandsOnPackage(res.body, server.rootPem, cleanup);
    expect(cmds.openssl.status, cmds.openssl.output).toBe(0);
    expect(cmds.sha256sum.status, cmds.sha256sum.output).toBe(0);

    const socket = (await server.socket(auditor)) as unknown as Socket;
    const pushed: { status: string; progress: number }[] = [];
    socket.on('evidence:progress', (j: { status: string; progress: number }) => pushed.push(j));
    const started = await auditor.post(`/api/records/${recordId}/evidence`);
    expect(started.status).toBe(202);
    let job = started.json();
    for (let i = 0; i < 100 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await auditor.get(`/api/evidence-jobs/${job.id}`)).json();
    }
    expect(job).toMatchObject({ status: 'done', progress: 1 });
    await vi.waitFor(() => expect(pushed.at(-1)?.status).toBe('done'));
    expect(pushed.map((j) => j.progress)).toEqual([...pushed.map((j) => j.progress)].sort((a, b) => a - b));
    expect(pushed.length).toBeGreaterThanOrEqual(3);
    expect((await admin.get(`/api/evidence-jobs/${job.id}/download`)).status).toBe(200);
    const downloaded = await auditor.get(`/api/evidence-jobs/${job.id}/download`);
    expect((await verifyEvidencePackage(downloaded.body, root, evidenceChecks)).valid).toBe(true);
  });

  test('tongban evidence export / verify: exit 0 on the package, 1 naming a changed file, 2 without a trust anchor', async () => {
    const work = mkdtempSync(join(tmpdir(), 'tongban-cli-'));
    cleanup.push(work);
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/tongban.js', ...args], {
        encoding: 'utf8',
        env: { ...process.env, TONGBAN_DATA: '' },
      });
    const zipPath = join(work, 'evidence.zip');
    const exported = cli('evidence', 'export', recordId, '--out', zipPath, '--data', server.dataDir);
    expect(exported.status, exported.stderr).toBe(0);
    writeFileSync(join(work, 'root.pem'), server.rootPem);
    const ok = cli('evidence', 'verify', zipPath, '--trust', join(work, 'root.pem'));
    expect(ok.status, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/checkpoint is link 2 of 3 of the recording chain/);
    expect(ok.stdout).toMatch(/recording\/: 3 segments chained, manifest seal verified/);
    expect(ok.stdout.trim().split('\n').at(-1)).toBe('VALID');
    expect(cli('evidence', 'verify', zipPath, '--data', server.dataDir).status).toBe(0);
    const tampered = join(work, 'tampered.zip');
    writeFileSync(tampered, await withFlippedByte(readFileSync(zipPath), 'audit.jsonl'));
    const bad = cli('evidence', 'verify', tampered, '--trust', join(work, 'root.pem'));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/BAD {2}audit\.jsonl: SHA-256 differs from SHA256SUMS/);
    const untrusted = cli('evidence', 'verify', zipPath, '--data', join(work, 'nothing-here'));
    expect(untrusted.status).toBe(2);
    expect(untrusted.stderr).toMatch(/no trust anchor/);
  });

  test('after the flow every file of the data directory is 0600 and every directory 0700', () => {
    const modes = privateModes(server.dataDir);
    for (const part of ['tongban.sqlite', 'tongban.sqlite-wal', 'blobs', 'recordings', 'hsm/tokens', 'hsm/user.pin'])
      expect(modes.checked, part).toContain(part);
    expect(modes.checked.length).toBeGreaterThan(20);
    expect(modes.open).toEqual([]);
  });

  test('retention: deleting a held or unexpired record is 409 and audited; after the period it goes', async () => {
    const del = () => admin.request('DELETE', `/api/records/${recordId}`);
    expect((await auditor.request('DELETE', `/api/records/${recordId}`)).status).toBe(403);
    const early = await del();
    expect(early.status).toBe(409);
    expect(early.json().error.code).toBe('retention_unexpired');
    expect(
      (await admin.request('PUT', `/api/records/${recordId}/hold`, { json: { hold: true, reason: '诉讼保全' } })).json()
        .legalHold,
    ).toBe(true);
    offsetMs = 3651 * 86_400_000;
    admin = await server.login('admin');
    auditor = await server.login('auditor'); // ten years on, the old login has expired
    const held = await del();
    expect(held.status).toBe(409);
    expect(held.json().error.code).toBe('legal_hold');
    expect(
      (await admin.request('PUT', `/api/records/${recordId}/hold`, { json: { hold: false } })).json().legalHold,
    ).toBe(false);
    // What the deletion must destroy: every PDF revision, the snapshots, the exported packages, the recording.
    const { blobs, db, recording } = server.app.services;
    // The cancelled case above holds the very same test images: those blobs are its too and stay.
    const shared = db.sql
      .prepare(
        'SELECT sha256 FROM snapshots WHERE case_id = ? AND sha256 IN (SELECT sha256 FROM snapshots WHERE case_id <> ?)',
      )
      .all(caseId, caseId) as { sha256: string }[];
    const files = [
      ...(db.sql
        .prepare(
          'SELECT sha256 FROM snapshots WHERE case_id = ? AND sha256 NOT IN (SELECT sha256 FROM snapshots WHERE case_id <> ?)',
        )
        .all(caseId, caseId) as { sha256: string }[]),
      ...(db.sql.prepare('SELECT current_sha256 AS sha256 FROM documents WHERE case_id = ?').all(caseId) as {
        sha256: string;
      }[]),
      ...(db.sql.prepare('SELECT sha256 FROM evidence_jobs WHERE record_id = ?').all(recordId) as { sha256: string }[]),
    ].map((r) => blobs.path(r.sha256));
    const recordingDir = recording.directory(recordedSession)!;
    const jobs = db.sql.prepare('SELECT id FROM evidence_jobs WHERE record_id = ?').all(recordId) as { id: string }[];
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect([...files, recordingDir].filter((f) => !existsSync(f))).toEqual([]);
    const snapshots = (await auditor.get(`/api/cases/${caseId}/snapshots`)).json().snapshots as { id: string }[];
    expect(snapshots).toHaveLength(2);
    expect((await del()).status).toBe(200);
    expect((await admin.get(`/api/records/${recordId}`)).status).toBe(404);
    expect((await auditor.get(`/api/cases/${caseId}/snapshots`)).json().snapshots).toEqual([]);
    expect([...files, recordingDir].filter((f) => existsSync(f))).toEqual([]);
    expect(shared.map((r) => existsSync(blobs.path(r.sha256)))).toEqual(shared.map(() => true));
    for (const path of [
      `/api/documents/${documentId}`,
      `/api/documents/${documentId}/verification`,
      ...snapshots.map((sn) => `/api/cases/${caseId}/snapshots/${sn.id}`),
      `/api/records/${recordId}/evidence.zip`,
      ...jobs.map((j) => `/api/evidence-jobs/${j.id}/download`),
      `/api/sessions/${recordedSession}/recording/composite.mp4`,
    ]) {
      const res = await auditor.get(path);
      expect({ path, gone: [404, 410].includes(res.status) }).toEqual({ path, gone: true });
      if (path.startsWith('/api/documents/')) expect(res.json().error.code).toBe('record_deleted');
    }
    // The recording's chain stays as hashes in the database, not as content.
    expect(recording.store.segments(recordedSession).length).toBe(3);
    const actions = (await admin.get(`/api/audit?target=record:${recordId}&limit=50`))
      .json()
      .entries.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a.startsWith('record.'))).toEqual([
      'record.archived',
      'record.delete_refused',
      'record.hold_set',
      'record.delete_refused',
      'record.hold_cleared',
      'record.deleted',
    ]);
    // GET …/evidence.zip, the export job and `tongban evidence export`.
    expect(actions.filter((a: string) => a === 'evidence.exported')).toHaveLength(3);
  });
});
