// Flow B (远程云签约) end to end through the real HTTP API and socket.io: agreement validation,
// everyone in the ceremony room sees the host's page, whose turn it is and each signature as it
// lands; ordered PIN signing with visible fields on the last page, then DSS + document timestamp;
// pdfsig and our verifier agree; archive and export; a second ceremony is aborted by its host.
// No browsers publish media here: the recorder's real store and sealing run on synthetic segments.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fromPem } from '../../../certs/encoding.js';
import { DEMO_PIN } from '../../demo/demo-data.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import { TestServer } from '../../test-support/TestServer.js';
import { evidenceChecks } from '../evidence/index.js';
import { verifyEvidencePackage } from '../evidence/index.js';
import type { RecordingStore } from '../recording/index.js';
import { multipart, pdfsig } from '../../test-support/flow-fixtures.js';
import { appendStoredSegment } from '../../test-support/synthetic-recording.js';
import { readmeCommandsOnPackage } from '../../test-support/package-tools.js';

type Ack = {
  ok: boolean;
  data?: Record<string, unknown> & { status?: string; currentPage?: number };
  error?: { code: string };
};
let server: TestServer;
let host: HttpClient;
let first: HttpClient;
let second: HttpClient;
let witness: HttpClient;
let outsider: HttpClient;
let auditor: HttpClient;
let agreement: Uint8Array;
let ceremonyId: string;
let documentId: string;
const sockets: Record<string, Socket> = {};
const cleanup: string[] = [];
let store: RecordingStore;

async function agreementPdf(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++)
    doc.addPage([595, 842]).drawText(`Cooperation agreement, page ${i}`, { x: 60, y: 760, size: 16, font });
  return doc.save();
}

const create = (client: HttpClient, fields: Record<string, string>, pdf: Uint8Array) => {
  const { body, headers } = multipart(fields, {
    field: 'agreement',
    filename: 'agreement.pdf',
    type: 'application/pdf',
    bytes: pdf,
  });
  return client.post('/api/ceremonies', undefined, { body, headers });
};
const request = (socket: Socket, event: string, payload: unknown) =>
  new Promise<Ack>((resolve) => socket.emit(event, payload, resolve));
const next = <T>(socket: Socket, event: string, match: (x: T) => boolean = () => true) =>
  new Promise<T>((resolve) => {
    const on = (x: T) => {
      if (!match(x)) return;
      socket.off(event, on);
      resolve(x);
    };
    socket.on(event, on);
  });

beforeAll(async () => {
  server = await TestServer.start({ seed: true, record: true });
  store = server.app.services.recording.store;
  [host, first, second, witness, outsider, auditor] = (await Promise.all(
    ['clerk.ninghai', 'official.ninghai', 'official.jiaojiang', 'clerk.jiaojiang', 'clerk.cixi', 'auditor'].map((u) =>
      server.login(u),
    ),
  )) as [HttpClient, HttpClient, HttpClient, HttpClient, HttpClient, HttpClient];
  agreement = await agreementPdf(3);
});

afterAll(async () => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
  await server?.dispose();
});

describe('flow B: signing ceremony', () => {
  test('the agreement must be a usable PDF, the signers real officials or clerks', async () => {
    const fields = {
      title: '宁海–椒江 通办合作协议',
      signers: 'official.ninghai,official.jiaojiang',
      witnesses: 'clerk.jiaojiang',
    };
    const dir = mkdtempSync(join(tmpdir(), 'tongban-pdf-'));
    cleanup.push(dir);
    writeFileSync(join(dir, 'plain.pdf'), agreement);
    expect(
      spawnSync('qpdf', ['--encrypt', 'u', 'o', '256', '--', join(dir, 'plain.pdf'), join(dir, 'locked.pdf')]).status,
    ).toBe(0);
    const encrypted = await create(host, fields, readFileSync(join(dir, 'locked.pdf')));
    expect(encrypted.status).toBe(400);
    expect(encrypted.json().error.message).toMatch(/加密|encrypted/);
    expect((await create(host, fields, Buffer.from('%PDF-1.7\nthis is not really a PDF'))).status).toBe(400);
    expect(
      (await create(host, fields, Buffer.concat([Buffer.from(agreement), Buffer.alloc(21 * 1024 * 1024)]))).status,
    ).toBe(413);
    expect((await create(host, { ...fields, signers: 'official.ninghai,nobody' }, agreement)).status).toBe(400);
    expect((await create(host, { ...fields, signers: 'auditor' }, agreement)).status).toBe(400);
    expect((await create(auditor, fields, agreement)).status).toBe(403);
  });

  test('create: state with the page, the first signer to sign and a session with everyone', async () => {
    const res = await create(
      host,
      {
        title: '宁海–椒江 通办合作协议',
        signers: '["official.ninghai","official.jiaojiang"]',
        witnesses: 'clerk.jiaojiang',
      },
      agreement,
    );
    expect(res.status).toBe(201);
    const state = res.json();
    ({ id: ceremonyId, documentId } = state);
    await appendStoredSegment(store, server.dataDir, state.sessionId);
    await appendStoredSegment(store, server.dataDir, state.sessionId);
    expect(state).toMatchObject({
      status: 'signing',
      pageCount: 3,
      currentPage: 1,
      turn: { position: 1, userId: 'official.ninghai' },
    });
    const session = (await host.get(`/api/sessions/${state.sessionId}`)).json();
    expect(session.participants.map((p: { userId: string; role: string }) => `${p.userId}:${p.role}`).sort()).toEqual([
      'clerk.jiaojiang:witness',
      'clerk.ninghai:host',
      'official.jiaojiang:signer',
      'official.ninghai:signer',
    ]);
    expect((await outsider.get(`/api/ceremonies/${ceremonyId}`)).status).toBe(403);
    expect((await auditor.get(`/api/ceremonies/${ceremonyId}`)).status).toBe(200);
  });

  test('socket.io: participants join the room; the host turns the page for everyone; others may not', async () => {
    for (const [name, client] of Object.entries({ host, first, second, witness, outsider })) {
      sockets[name] = (await server.socket(client)) as unknown as Socket;
    }
    for (const name of ['host', 'first', 'second', 'witness']) {
      const ack = await request(sockets[name]!, 'ceremony:join', { ceremonyId });
      expect(ack.ok, name).toBe(true);
      expect(ack.data?.currentPage).toBe(1);
    }
    expect((await request(sockets.outsider!, 'ceremony:join', { ceremonyId })).error?.code).toBe('forbidden');
    expect((await request(sockets.first!, 'ceremony:join', { ceremonyId: 'not-a-uuid' })).error?.code).toBe(
      'invalid_request',
    );
    const seen = ['first', 'second', 'witness'].map((n) =>
      next<{ currentPage: number }>(sockets[n]!, 'ceremony:state'),
    );
    const turned = await request(sockets.host!, 'ceremony:page', { ceremonyId, page: 3 });
    expect(turned.data?.currentPage).toBe(3);
    expect((await Promise.all(seen)).map((s) => s.currentPage)).toEqual([3, 3, 3]);
    expect((await request(sockets.first!, 'ceremony:page', { ceremonyId, page: 1 })).error?.code).toBe('forbidden');
    expect((await request(sockets.host!, 'ceremony:page', { ceremonyId, page: 9 })).ok).toBe(false);
  });

  test('signing in order with PINs; everyone sees each signature land; DSS and document timestamp after the last', async () => {
    const sign = (c: HttpClient, pin = DEMO_PIN) => c.post(`/api/ceremonies/${ceremonyId}/sign`, { pin });
    expect((await sign(second)).status).toBe(409);
    expect((await sign(witness)).status).toBe(403);
    expect((await sign(host)).status).toBe(403);
    const landed = next<{ position: number; name: string }>(sockets.witness!, 'ceremony:signed');
    const turn = next<{ turn: { userId: string } | null }>(
      sockets.second!,
      'ceremony:state',
      (s) => s.turn?.userId === 'official.jiaojiang',
    );
    expect((await sign(first)).status).toBe(200);
    expect(await landed).toMatchObject({ position: 1, name: '叶建华' });
    await turn;
    expect((await sign(first)).status).toBe(409);
    expect((await sign(second, '999999')).status).toBe(403);
    const done = next<{ status: string; turn: unknown }>(sockets.host!, 'ceremony:state', (s) => s.status === 'signed');
    const last = await sign(second);
    expect(last.status).toBe(200);
    expect(last.json()).toMatchObject({ status: 'signed', next: null, ceremony: { status: 'signed', turn: null } });
    expect(await done).toMatchObject({ status: 'signed', turn: null });

    const report = (await host.get(`/api/documents/${documentId}/verification`)).json();
    expect(report.valid).toBe(true);
    expect(report.signatures.map((s: { signer: { name: string } }) => s.signer.name)).toEqual([
      '叶建华',
      '蒋海峰',
      'Tongban Platform TSA',
    ]);
    const pdf = (await witness.get(`/api/documents/${documentId}`)).body;
    const out = pdfsig(pdf, server.rootPem);
    expect(out.output.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(out.output.match(/Certificate Validation: Certificate is Trusted\./g)).toHaveLength(2);
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    const widgets = doc.getPage(2).node.Annots()?.size() ?? 0;
    expect(widgets).toBeGreaterThanOrEqual(2);
  });

  test('archive by the host, export verifies offline and with openssl + sha256sum', async () => {
    expect((await first.post(`/api/ceremonies/${ceremonyId}/archive`)).status).toBe(403);
    const told = next<{ status: string }>(sockets.second!, 'ceremony:state', (s) => s.status === 'archived');
    const archived = await host.post(`/api/ceremonies/${ceremonyId}/archive`);
    expect(archived.status).toBe(201);
    expect(await told).toMatchObject({ status: 'archived' });
    const { recordId } = archived.json();
    expect(
      (await auditor.get(`/api/records?participant=official.jiaojiang`))
        .json()
        .records.map((r: { id: string }) => r.id),
    ).toContain(recordId);
    const zip = (await auditor.get(`/api/records/${recordId}/evidence.zip`)).body;
    const report = await verifyEvidencePackage(zip, fromPem(server.rootPem), evidenceChecks);
    expect(report.problems).toEqual([]);
    expect(report.manifest?.record.kind).toBe('ceremony');
    expect(report.checked).toContain('recording/: 2 segments chained, manifest seal verified');
    const cmds = await readmeCommandsOnPackage(zip, server.rootPem, cleanup);
    expect(cmds.openssl.status, cmds.openssl.output).toBe(0);
    expect(cmds.sha256sum.status, cmds.sha256sum.output).toBe(0);
  });

  test('the host aborts a ceremony with a reason; nobody can sign it afterwards', async () => {
    const state = (
      await create(host, { title: '第二份协议', signers: 'official.ninghai' }, await agreementPdf(1))
    ).json();
    expect((await first.post(`/api/ceremonies/${state.id}/abort`, { reason: 'no' })).status).toBe(403);
    const aborted = await host.post(`/api/ceremonies/${state.id}/abort`, {
      reason: '条款需修改 / terms to be revised',
    });
    expect(aborted.json()).toMatchObject({
      status: 'aborted',
      abortReason: '条款需修改 / terms to be revised',
      turn: null,
    });
    expect((await first.post(`/api/ceremonies/${state.id}/sign`, { pin: DEMO_PIN })).status).toBe(409);
    expect((await host.post(`/api/ceremonies/${state.id}/archive`)).status).toBe(409);
  });
});
