// Flow A end to end through the real HTTP API with a real live session: the handling clerk, the
// originating clerk and the applicant join the media room as headless WebRTC participants
// (synthetic camera and microphone) and are recorded by the real recorder (mediasoup → ffmpeg →
// chained segments). Covered: the session preconditions of confirmation (issue 12 §2) and their
// attacks, snapshots taken by the server from the recording, checklist, identity confirmation,
// the three ordered signatures (applicant in the guest session with handwriting, witness and
// confirmation with PINs) plus DSS and document timestamp, archive (refused without a valid
// recording), auditor search and detail, evidence package (direct and as a job) checked by our
// verifier, pdfsig, openssl and sha256sum, and the retention rules.
// Needs the mediasoup worker: `source scripts/worker-env.sh`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Bot } from '../../../bench/support/Bot.js';
import { fromPem } from '../../../certs/encoding.js';
import { DEMO_PIN } from '../../demo/demo-data.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import { blobFile } from '../../test-support/blob-files.js';
import { TestServer } from '../../test-support/TestServer.js';
import { evidenceChecks } from '../evidence/index.js';
import { verifyEvidencePackage } from '../evidence/index.js';
import { readZip } from '../evidence/index.js';
import { handwritingDataUrl, multipart, pdfsig, testImage } from '../../test-support/flow-fixtures.js';
import { privateModes } from '../../test-support/private-modes.js';
import { completeScript } from '../../test-support/consent-script.js';
import {
  closeLiveRoom,
  joinLiveRoom,
  openCaseWithGuest,
  stopSyntheticMedia,
  waitForRecordedSegments,
} from '../../test-support/live-room.js';
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
let sessionId: string;
let applicantPeer: string;
const cleanup: string[] = [];
const bots: Bot[] = [];
const sockets: { disconnect(): void }[] = [];

const snapshot = (client: HttpClient, kind: string, id = caseId) => client.post(`/api/cases/${id}/snapshots`, { kind });
const confirm = (client: HttpClient, id = caseId, list: Record<string, boolean> = checklist) =>
  client.post(`/api/cases/${id}/confirm-identity`, { checklist: list });

const openCase = async (name: string, idNumber: string) => {
  const opened = await openCaseWithGuest(server, { xingren, cixi }, { name, idNumber });
  return { ...opened, applicant: opened.guest };
};

beforeAll(async () => {
  server = await TestServer.start({
    seed: true,
    media: { segmentSeconds: 2 },
    clock: () => new Date(Date.now() + offsetMs),
  });
  [xingren, cixi, auditor, admin] = (await Promise.all(
    ['clerk.xingren', 'clerk.cixi', 'auditor', 'admin'].map((u) => server.login(u)),
  )) as [HttpClient, HttpClient, HttpClient, HttpClient];
  ({
    id: caseId,
    number: caseNumber,
    sessionId,
    applicant: guest,
    guestPeer: applicantPeer,
  } = await openCase('王五', '522501199001011234'));
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await closeLiveRoom(bots);
  stopSyntheticMedia();
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
  await server?.dispose();
});

describe('flow A: session preconditions (issue 12 §2)', () => {
  test('attack: confirmation with an empty room → 409 applicant_not_present; no snapshot either', async () => {
    const refused = await confirm(cixi);
    console.log('attack: confirmation with an empty room →', refused.status, refused.text);
    expect(refused.status).toBe(409);
    expect(refused.json().error.code).toBe('applicant_not_present');
    const snap = await snapshot(cixi, 'face');
    expect(snap.status).toBe(409);
    expect(snap.json().error.code).toBe('applicant_not_present');
    const refusals = (await auditor.get('/api/audit?action=identity.confirm_refused&limit=10')).json().entries;
    expect(refusals.map((e: { target: string }) => e.target)).toContain(`case:${caseId}`);
  });

  test('attack: uploaded snapshot file → the upload is not accepted, nothing is stored', async () => {
    const { body, headers } = multipart(
      { kind: 'face' },
      { field: 'image', filename: 'snap', type: 'image/png', bytes: testImage('png') },
    );
    const upload = await cixi.post(`/api/cases/${caseId}/snapshots`, undefined, { body, headers });
    console.log('attack: uploaded snapshot file →', upload.status, upload.text);
    expect(upload.status).toBeGreaterThanOrEqual(400);
    expect(upload.status).toBeLessThan(500);
    expect(upload.json().error.code).toMatch(/^(invalid_request|malformed_json|unsupported_media_type)$/);
    expect((await cixi.get(`/api/cases/${caseId}/snapshots`)).json().snapshots).toEqual([]);
  });

  test('the applicant in the room without acknowledging the recording notice → 409 consent_missing', async () => {
    const socket = await server.socket(guest);
    sockets.push(socket);
    const joined = await socket.emitWithAck('media:request', { method: 'join', data: { sessionId } });
    expect(joined).toMatchObject({ ok: true, data: { consented: false } });
    const refused = await confirm(cixi);
    expect(refused.status).toBe(409);
    expect(refused.json().error.code).toBe('consent_missing');
  });

  test('the applicant present and recorded but the clerks not in the room → 409 clerk_not_present', async () => {
    // The headless applicant takes over the seat of the socket above, consents and publishes.
    bots.push(...(await joinLiveRoom(server, sessionId, [guest])));
    await waitForRecordedSegments(server, sessionId, applicantPeer);
    const refused = await confirm(cixi);
    expect(refused.status).toBe(409);
    expect(refused.json().error.code).toBe('clerk_not_present');
    bots.push(...(await joinLiveRoom(server, sessionId, [cixi])));
    const witnessMissing = await confirm(cixi);
    expect(witnessMissing.status).toBe(409);
    expect(witnessMissing.json().error.code).toBe('clerk_not_present');
    bots.push(...(await joinLiveRoom(server, sessionId, [xingren])));
    const presence = await server.app.services.sessions.presence.of(sessionId);
    expect(
      presence
        .filter((p) => p.present)
        .map((p) => p.participantId)
        .sort(),
    ).toEqual([applicantPeer, 'user:clerk.cixi', 'user:clerk.xingren'].sort());
    expect(presence.find((p) => p.participantId === applicantPeer)?.consented).toBe(true);
  });
});

describe('flow A: remote identity confirmation', () => {
  test('snapshots: only the handling clerk; the server takes the frame from the recording and chains it', async () => {
    expect((await snapshot(xingren, 'face')).status).toBe(403);
    expect((await snapshot(cixi, 'hand')).status).toBe(400);
    const face = await snapshot(cixi, 'face');
    expect(face.status, face.text).toBe(201);
    expect(face.json()).toMatchObject({
      kind: 'face',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      chainHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(face.json().offsetMs).toBeGreaterThan(0);
    const id = await snapshot(cixi, 'id');
    expect(id.status, id.text).toBe(201);
    expect(id.json().offsetMs).toBeGreaterThan(face.json().offsetMs);
    const list = (await cixi.get(`/api/cases/${caseId}/snapshots`)).json().snapshots;
    expect(list.map((s: { kind: string; mediaType: string }) => [s.kind, s.mediaType])).toEqual([
      ['face', 'image/jpeg'],
      ['id', 'image/jpeg'],
    ]);
    // The image is a decoded frame of the applicant's recorded video (our synthetic 320x240 camera),
    // and it is a link of the recording chain: same bytes, same hash, chained after its source segment.
    const segments = await server.app.services.recording.store.segments(sessionId);
    for (const s of list) {
      const image = (await cixi.get(`/api/cases/${caseId}/snapshots/${s.id}`)).body;
      expect(image.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      expect(createHash('sha256').update(image).digest('hex')).toBe(s.sha256);
      const link = segments[s.chainIndex]!;
      expect(link).toMatchObject({ sha256: s.sha256, chainHash: s.chainHash, participant: applicantPeer });
      expect(link.track).toBe(`snapshot:${s.kind}`);
      const source = segments[s.sourceSegment]!;
      expect(source).toMatchObject({ participant: applicantPeer });
      expect(source.track).toContain('video');
      expect(source.endMs).toBeGreaterThanOrEqual(s.offsetMs);
      const probe = spawnSync(
        'ffprobe',
        ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', '-'],
        {
          input: image,
        },
      );
      expect(probe.stdout.toString().trim()).toBe('320,240');
    }
  });

  test('confirmation needs the whole checklist and the handling clerk; it renders the PDF (snapshot offsets and chain links) and issues the event certificate', async () => {
    expect((await confirm(cixi, caseId, { ...checklist, idBackShown: false })).status).toBe(400);
    expect((await confirm(xingren)).status).toBe(403);
    await completeScript(cixi, caseId);
    const confirmed = await confirm(cixi);
    expect(confirmed.status, confirmed.text).toBe(201);
    documentId = confirmed.json().documentId;
    expect((await cixi.get(`/api/cases/${caseId}`)).json().status).toBe('identity_confirmed');
    const pdf = await guest.get(`/api/documents/${documentId}`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toMatch(/application\/pdf/);
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
    const text = spawnSync('pdftotext', ['-', '-'], { input: pdf.body }).stdout.toString();
    for (const s of (await cixi.get(`/api/cases/${caseId}/snapshots`)).json().snapshots) {
      expect(text).toContain(`offset +${s.offsetMs} ms`);
      expect(text).toContain(`chain link #${s.chainIndex} h=${s.chainHash.slice(0, 16)}`);
    }
    const events = (await server.app.services.pki.certificates({})).filter((c: { kind: string }) => c.kind === 'event');
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
    const { id: other, sessionId: otherSession, applicant, guestPeer } = await openCase('赵六', '522501199202021234');
    const room = await joinLiveRoom(server, otherSession, [applicant, cixi, xingren]);
    bots.push(...room);
    await waitForRecordedSegments(server, otherSession, guestPeer);
    for (const kind of ['face', 'id']) expect((await snapshot(cixi, kind, other)).status).toBe(201);
    await completeScript(cixi, other);
    const doc = (await confirm(cixi, other)).json().documentId;
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

  test('attack: archive without recording → 409 recording_missing', async () => {
    // An insider with write access to the database marks a case signed that never had a recorded session.
    const forged = await openCase('钱七', '522501199303031234');
    server.app.services.db.sql.prepare(`UPDATE cases SET status = 'signed' WHERE id = ?`).run(forged.id);
    const refused = await cixi.post(`/api/cases/${forged.id}/archive`);
    console.log('attack: archive without recording →', refused.status, refused.text);
    expect(refused.status).toBe(409);
    expect(refused.json().error.code).toBe('recording_missing');
    expect((await cixi.get(`/api/cases/${forged.id}`)).json().status).toBe('signed');
    const refusals = (await auditor.get('/api/audit?action=record.archive_refused&limit=10')).json().entries;
    expect(refusals.map((e: { target: string }) => e.target)).toContain(`case:${forged.id}`);
  });

  test('archive: only when signed, by the handling site, with a valid recording; the session ends', async () => {
    expect((await xingren.post(`/api/cases/${caseId}/archive`)).status).toBe(403);
    // A recorded segment changed on disk (data-directory access): refused until the file is restored.
    const recording = server.app.services.recording;
    const segment = (await recording.store.segments(sessionId))[0]!;
    const path = join((await recording.directory(sessionId))!, segment.file);
    const original = readFileSync(path);
    writeFileSync(
      path,
      Buffer.concat([original.subarray(0, 100), Buffer.from([original[100]! ^ 1]), original.subarray(101)]),
    );
    const tampered = await cixi.post(`/api/cases/${caseId}/archive`);
    console.log('attack: archive with a changed recording →', tampered.status, tampered.text);
    expect(tampered.status).toBe(409);
    expect(tampered.json().error.code).toBe('recording_invalid');
    writeFileSync(path, original);
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
    const chained = (await server.app.services.recording.store.segments(sessionId)).length;
    expect(detail.recording).toMatchObject({ status: 'sealed', valid: true, segmentCount: chained });
    // The confirmation's checkpoint lies inside the chain, after both snapshot links.
    const snapshotLinks = detail.snapshots.map((s: { chainIndex: number }) => s.chainIndex);
    expect(detail.documents[0].checkpoint.segmentCount).toBeGreaterThan(Math.max(...snapshotLinks));
    expect(detail.documents[0].checkpoint.segmentCount).toBeLessThanOrEqual(chained);
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
    expect(report.checked.filter((c) => /^snapshots\/.*: link \d+ of the recording chain$/.test(c))).toHaveLength(2);
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
    // Every chained file of the recording, the two snapshot images among them, plus the sealed manifest.
    const chain = await server.app.services.recording.store.segments(sessionId);
    expect(names.filter((n) => n.startsWith('recording/')).sort()).toEqual(
      [...chain.map((s) => `recording/${s.file}`), 'recording/manifest.json', 'recording/manifest.json.p7s'].sort(),
    );
    expect(chain.filter((s) => s.track.startsWith('snapshot:'))).toHaveLength(2);
    // Each changed file is named (the recording's files: one media segment, one snapshot link, the manifest).
    const samples = [
      ...names.filter((n) => !n.startsWith('recording/')),
      `recording/${chain.find((s) => s.track.includes('video'))!.file}`,
      `recording/${chain.find((s) => s.track.startsWith('snapshot:'))!.file}`,
      'recording/manifest.json',
    ];
    const packed = (await readZip(res.body)).files;
    for (const file of samples) {
      // In a JSON file a byte of its first key: the middle byte may fall in a listed path, and a changed
      // path also names the files it no longer matches (seen in CI on the recording's manifest).
      const at = file.endsWith('.json') ? packed.get(file)!.indexOf(0x22) + 1 : undefined;
      const bad = await verifyEvidencePackage(await withFlippedByte(res.body, file, at), root, evidenceChecks);
      expect([...new Set(bad.problems.map((p) => p.file))], file).toEqual([file]);
    }
    // A digit flipped inside a segment's listed SHA-256 is the manifest's fault, not the segment's.
    const manifestText = Buffer.from((await readZip(res.body)).files.get('recording/manifest.json')!).toString();
    const listed = manifestText.indexOf(chain[0]!.sha256);
    const digitAt = listed + chain[0]!.sha256.search(/[0-9]/);
    const forged = await verifyEvidencePackage(
      await withFlippedByte(res.body, 'recording/manifest.json', digitAt),
      root,
      evidenceChecks,
    );
    expect(listed).toBeGreaterThan(0);
    expect([...new Set(forged.problems.map((p) => p.file))]).toEqual(['recording/manifest.json']);
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
      spawnSync(process.execPath, ['bin/tongban.cjs', ...args], {
        encoding: 'utf8',
        env: { ...process.env, TONGBAN_DATA: '' },
      });
    const zipPath = join(work, 'evidence.zip');
    const exported = cli('evidence', 'export', recordId, '--out', zipPath, '--data', server.dataDir);
    expect(exported.status, exported.stderr).toBe(0);
    writeFileSync(join(work, 'root.pem'), server.rootPem);
    const ok = cli('evidence', 'verify', zipPath, '--trust', join(work, 'root.pem'));
    expect(ok.status, ok.stdout).toBe(0);
    const links = (await server.app.services.recording.store.segments(sessionId)).length;
    expect(ok.stdout).toMatch(new RegExp(`checkpoint is link \\d+ of ${links} of the recording chain`));
    expect(ok.stdout).toMatch(new RegExp(`recording/: ${links} segments chained, manifest seal verified`));
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
      (
        await admin.request('PUT', `/api/records/${recordId}/hold`, { json: { hold: false, reason: '保全解除' } })
      ).json().legalHold,
    ).toBe(false);
    // What the deletion must destroy: every PDF revision, the snapshots, the exported packages, the recording.
    const { blobs, db, recording } = server.app.services;
    // A blob another case also holds (none expected: every frame is grabbed anew) must stay.
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
    ].map((r) => blobFile(blobs, r.sha256));
    const recordingDir = (await recording.directory(sessionId))!;
    const chainLength = (await recording.store.segments(sessionId)).length;
    expect(chainLength).toBeGreaterThan(0);
    const jobs = db.sql.prepare('SELECT id FROM evidence_jobs WHERE record_id = ?').all(recordId) as { id: string }[];
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect([...files, recordingDir].filter((f) => !existsSync(f))).toEqual([]);
    const snapshots = (await auditor.get(`/api/cases/${caseId}/snapshots`)).json().snapshots as { id: string }[];
    expect(snapshots).toHaveLength(2);
    expect((await del()).status).toBe(200);
    expect((await admin.get(`/api/records/${recordId}`)).status).toBe(404);
    expect((await auditor.get(`/api/cases/${caseId}/snapshots`)).json().snapshots).toEqual([]);
    expect([...files, recordingDir].filter((f) => existsSync(f))).toEqual([]);
    expect(shared.map((r) => existsSync(blobFile(blobs, r.sha256)))).toEqual(shared.map(() => true));
    for (const path of [
      `/api/documents/${documentId}`,
      `/api/documents/${documentId}/verification`,
      ...snapshots.map((sn) => `/api/cases/${caseId}/snapshots/${sn.id}`),
      `/api/records/${recordId}/evidence.zip`,
      ...jobs.map((j) => `/api/evidence-jobs/${j.id}/download`),
      `/api/sessions/${sessionId}/recording/composite.mp4`,
    ]) {
      const res = await auditor.get(path);
      expect({ path, gone: [404, 410].includes(res.status) }).toEqual({ path, gone: true });
      if (path.startsWith('/api/documents/')) expect(res.json().error.code).toBe('record_deleted');
    }
    // The recording's chain stays as hashes in the database, not as content.
    expect((await recording.store.segments(sessionId)).length).toBe(chainLength);
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
    // No table still names the applicant but the hash-chained audit log and the CA's register of the
    // certificates it issued (kept for revocation status, as CA policy requires); the ID is erased.
    expect(rowsMentioning(db, ['王五'], ['audit_log', 'pki_certificates'])).toEqual([]);
    expect(db.sql.prepare('SELECT id_masked, id_hmac FROM cases WHERE id = ?').get(caseId)).toEqual({
      id_masked: '',
      id_hmac: '',
    });
  });
});

/** "table.column" of every text cell that contains one of `needles`, outside the tables `skip`. */
function rowsMentioning(db: { sql: import('better-sqlite3').Database }, needles: string[], skip: string[]): string[] {
  const found: string[] = [];
  const tables = db.sql.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  for (const { name } of tables.filter((t) => !skip.includes(t.name))) {
    const columns = db.sql.prepare(`PRAGMA table_info("${name}")`).all() as { name: string; type: string }[];
    for (const c of columns.filter((col) => col.type === 'TEXT'))
      for (const needle of needles)
        if (db.sql.prepare(`SELECT 1 FROM "${name}" WHERE instr("${c.name}", ?) > 0 LIMIT 1`).get(needle))
          found.push(`${name}.${c.name}`);
  }
  return found;
}
