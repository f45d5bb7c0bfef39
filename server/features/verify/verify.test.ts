// The public verification routes against a real server, without login: an archived agreement's
// signed PDF and evidence package verify, tampered copies do not; the QR hash (and its short
// prefix) finds the record with impersonal facts only; every refusal has its status and code;
// and nothing of an upload stays behind (no row, no file, no blob, no audit entry).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_PIN } from '../../demo/demo-data.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import { TestServer } from '../../test-support/TestServer.js';
import { multipart } from '../../test-support/flow-fixtures.js';
import { tableNames } from '../../test-support/db-inspect.js';
import { withFlippedByte } from '../../test-support/package-tools.js';
import { appendStoredSegment } from '../../test-support/synthetic-recording.js';
import { ApiRouter } from '../../http/ApiRouter.js';
import { lookupHash } from '../../../protocol/http/verify.js';
import { getCeremony } from '../../../protocol/http/ceremonies.js';
import { stampVerificationQr, verificationLink } from '../documents/index.js';
import { setCheckpointInfo } from '../recording/index.js';
import { revisionHashes } from './index.js';

const UPLOAD_LIMIT = 3 * 1024 * 1024;
const PER_WINDOW = 40;
let server: TestServer;
let anyone: HttpClient;
let agreement: Uint8Array;
let signedPdf: Buffer;
let evidenceZip: Buffer;
const work = mkdtempSync(join(tmpdir(), 'tongban-verify-'));

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const uploadAs = (client: HttpClient, bytes: Uint8Array, headers: Record<string, string> = {}) => {
  const form = multipart({}, { field: 'file', filename: 'upload.bin', type: 'application/octet-stream', bytes });
  return client.post('/api/verify', undefined, { body: form.body, headers: { ...form.headers, ...headers } });
};
const upload = (bytes: Uint8Array, headers?: Record<string, string>) => uploadAs(anyone, bytes, headers);

beforeAll(async () => {
  server = await TestServer.start({
    seed: true,
    record: true,
    limits: { verifyUploadBytes: UPLOAD_LIMIT, verifyAttemptsPerWindow: PER_WINDOW },
  });
  anyone = server.client();
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([595, 842]).drawText('Cooperation agreement', { x: 60, y: 760, size: 16, font });
  agreement = await doc.save();
  const [host, official, auditor] = await Promise.all(
    ['clerk.ninghai', 'official.ninghai', 'auditor'].map((u) => server.login(u)),
  );
  const { body, headers } = multipart(
    { title: '宁海 通办合作协议', signers: 'official.ninghai' },
    { field: 'agreement', filename: 'agreement.pdf', type: 'application/pdf', bytes: agreement },
  );
  const created = (await host!.post('/api/ceremonies', undefined, { body, headers })).json();
  const store = server.app.services.recording.store;
  await appendStoredSegment(store, server.dataDir, created.sessionId);
  await appendStoredSegment(store, server.dataDir, created.sessionId);
  expect((await official!.post(`/api/ceremonies/${created.id}/sign`, { pin: DEMO_PIN })).status).toBe(200);
  const archived = await host!.post(`/api/ceremonies/${created.id}/archive`);
  expect(archived.status).toBe(201);
  signedPdf = (await host!.get(`/api/documents/${created.documentId}`)).body;
  evidenceZip = (await auditor!.get(`/api/records/${archived.json().recordId}/evidence.zip`)).body;
  expect(evidenceZip.length).toBeLessThan(UPLOAD_LIMIT);
});

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await server?.dispose();
});

describe('hash look-up (the QR on the document)', () => {
  test('the QR hash is the unstamped agreement; it and its 16-digit prefix find the record, impersonally', async () => {
    const h = sha256(agreement);
    // The stamp is an incremental update: the uploaded agreement is the signed PDF's first revision.
    expect(revisionHashes(signedPdf)).toContain(h);
    for (const ref of [h, h.slice(0, 16), h.toUpperCase()]) {
      const res = await anyone.get(`/api/verify/hash/${ref}`);
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({
        held: true,
        document: {
          kind: 'agreement',
          revision: 'unstamped',
          state: 'archived',
          signatures: 1,
          archivedAt: expect.any(String),
        },
      });
    }
    expect((await anyone.get(`/api/verify/hash/${sha256(signedPdf)}`)).json().document.revision).toBe('current');
    expect((await anyone.get(`/api/verify/hash/${'0'.repeat(64)}`)).json()).toEqual({ held: false, document: null });
    const bad = await anyone.get('/api/verify/hash/not-a-hash');
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBe('invalid_request');
    const short = await anyone.get(`/api/verify/hash/${h.slice(0, 15)}`);
    expect(short.status).toBe(400);
  });
});

describe('uploads', () => {
  test('the signed PDF: each signature, the platform record; a byte changed inside the signed range breaks it', async () => {
    const res = await upload(signedPdf);
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ type: 'pdf', sha256: sha256(signedPdf), checkpoint: null, report: { valid: true } });
    expect(body.report.signatures[0]).toMatchObject({
      signer: { name: '叶建华' },
      intact: true,
      trusted: true,
      revoked: false,
      modifiedAfter: false,
    });
    expect(body.report.signatures.at(-1).level).toBe('document-timestamp');
    expect(body.record).toMatchObject({ held: true, document: { kind: 'agreement', revision: 'current' } });

    // One bit inside a content stream of the agreement (the signed range): the structure still parses.
    const tampered = Buffer.from(signedPdf);
    const flip = tampered.indexOf('stream', 0, 'latin1') + 20;
    expect(flip).toBeLessThan(agreement.byteLength);
    tampered[flip] = tampered[flip]! ^ 0x01;
    const bad = await upload(tampered);
    expect(bad.status).toBe(200);
    expect(bad.json().report.valid).toBe(false);
    expect(bad.json().report.signatures.some((s: { intact: boolean }) => !s.intact)).toBe(true);
  });

  test('an identity record carries its recording checkpoint in the Info dictionary: the report shows it, after the stamp too', async () => {
    const checkpoint = {
      sessionId: 'session-7',
      head: 'ab'.repeat(32),
      segmentCount: 12,
      offsetMs: 48_000,
      at: '2026-06-01T08:05:00.000Z',
    };
    const doc = await PDFDocument.create();
    doc.addPage([595, 842]);
    setCheckpointInfo(doc, checkpoint);
    const stamped = stampVerificationQr(await doc.save(), (h) => verificationLink('https://desk.example', h));
    const res = await upload(stamped.pdf);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      type: 'pdf',
      checkpoint,
      report: { valid: false, signatures: [] },
      record: { held: false, document: null },
    });
  });

  test('the evidence zip: every check passes; a changed file inside it is named', async () => {
    const res = await upload(evidenceZip);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      type: 'zip',
      valid: true,
      problems: [],
      manifest: { kind: 'ceremony', documents: 1, recording: true },
    });
    expect(res.json().checked.length).toBeGreaterThan(2);
    const tampered = await withFlippedByte(evidenceZip, 'manifest.json');
    const bad = (await upload(tampered)).json();
    expect(bad.valid).toBe(false);
    expect(bad.problems.map((p: { file: string }) => p.file)).toContain('manifest.json');
  });

  test('refusals: oversized 413, not a PDF 415, encrypted and malformed PDFs 400, wrong body type 415, other site 403', async () => {
    const expectRefusal = async (
      res: Promise<{ status: number; json(): { error: { code: string } } }>,
      status: number,
      code: string,
    ) => {
      const r = await res;
      expect([r.status, r.json().error.code]).toEqual([status, code]);
    };
    await expectRefusal(upload(Buffer.concat([signedPdf, Buffer.alloc(UPLOAD_LIMIT)])), 413, 'payload_too_large');
    await expectRefusal(upload(Buffer.from('just some text, not a document')), 415, 'verify_unsupported_file');
    writeFileSync(join(work, 'plain.pdf'), agreement);
    const qpdf = spawnSync('qpdf', [
      '--encrypt',
      'u',
      'o',
      '256',
      '--',
      join(work, 'plain.pdf'),
      join(work, 'locked.pdf'),
    ]);
    expect(qpdf.status).toBe(0);
    await expectRefusal(upload(readFileSync(join(work, 'locked.pdf'))), 400, 'pdf_encrypted');
    await expectRefusal(upload(Buffer.from('%PDF-1.7\nthis is not really a PDF')), 400, 'pdf_corrupt');
    await expectRefusal(anyone.post('/api/verify', { file: 'x' }), 415, 'unsupported_media_type');
    await expectRefusal(upload(signedPdf, { origin: 'https://elsewhere.example' }), 403, 'cross_origin');
  });
});

describe('public routes are public on both sides', () => {
  test('the router refuses a descriptor with auth none under a login, and a login descriptor made public', () => {
    const api = new ApiRouter(server.app.services.audit);
    const handler = () => ({ held: false, document: null });
    expect(() => api.route({ ...lookupHash, summary: 's', tag: 't', access: 'signed-in', handler })).toThrow(
      /auth none vs access signed-in/,
    );
    expect(() => api.route({ ...getCeremony, summary: 's', tag: 't', access: 'public', handler })).toThrow(
      /auth \(login\) vs access public/,
    );
    expect(() => api.route({ ...lookupHash, summary: 's', tag: 't', access: 'public', handler })).not.toThrow();
  });
});

describe('nothing is kept', () => {
  /** Every table's rows but the rate-limit counters, every file of the data directory with its size. */
  const snapshot = async () => {
    const { db } = server.app.services;
    const tables = (await tableNames(db)).filter((t) => t !== 'rate_limits');
    const rows: Record<string, number> = {};
    for (const t of tables) rows[t] = (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM "${t}"`))!.n;
    const files: Record<string, number> = {};
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (!/\.(sqlite|db)(-wal|-shm)?$/.test(e.name)) files[p] = statSync(p).size;
      }
    };
    walk(server.dataDir);
    return { rows, files };
  };

  test('after a PDF, a zip, a refused upload and a look-up: no row, file, blob or audit entry more', async () => {
    const { db } = server.app.services;
    const before = await snapshot();
    const auditBefore = await db.get('SELECT COUNT(*) AS n FROM audit_log');
    const fresh = await PDFDocument.create();
    fresh.addPage([200, 200]);
    const unknown = Buffer.from(await fresh.save());
    expect((await upload(unknown)).json().record).toEqual({ held: false, document: null });
    expect((await upload(evidenceZip)).status).toBe(200);
    expect((await upload(Buffer.from('not a document'))).status).toBe(415);
    expect((await anyone.get(`/api/verify/hash/${sha256(unknown)}`)).json().held).toBe(false);
    expect(await snapshot()).toEqual(before);
    expect(await db.get('SELECT COUNT(*) AS n FROM audit_log')).toEqual(auditBefore);
    const audit = JSON.stringify(await db.all('SELECT * FROM audit_log'));
    expect(audit).not.toContain(sha256(unknown));
    expect(audit).not.toContain(sha256(evidenceZip));
  });
});

describe('rate limit', () => {
  test('per address: beyond the window budget uploads and look-ups answer 429 rate_limited; another address is not affected', async () => {
    const flooder = server.client();
    flooder.localAddress = '127.0.0.9';
    const statuses: number[] = [];
    for (let i = 0; i < PER_WINDOW + 1; i++)
      statuses.push((await flooder.get(`/api/verify/hash/${'a'.repeat(64)}`)).status);
    expect(statuses.slice(0, PER_WINDOW).every((s) => s === 200)).toBe(true);
    expect(statuses[PER_WINDOW]).toBe(429);
    const refused = await uploadAs(flooder, signedPdf);
    expect([refused.status, refused.json().error.code]).toEqual([429, 'rate_limited']);
    const other = server.client();
    other.localAddress = '127.0.0.10';
    expect((await other.get(`/api/verify/hash/${'a'.repeat(64)}`)).status).toBe(200);
  });
});
