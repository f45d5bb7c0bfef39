// Web hygiene against a real server (issue 12 §7): state-changing requests from another site are
// refused (Origin, else Sec-Fetch-Site), bodies must have the route's type (the cross-site
// text/plain POST of the issue), the session cookie is __Host- prefixed and opens socket.io, and
// evidence jobs are capped per user and deleted with their package after their time to live. An
// RFC 3161 TSA in front of the platform's own can hold its answers, so jobs stay running as long
// as the test needs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { DEMO_PASSWORD, DEMO_PIN } from '../demo/demo-data.js';
import { SESSION_COOKIE } from '../features/auth/index.js';
import { multipart } from '../test-support/flow-fixtures.js';
import type { HttpClient, TestResponse } from '../test-support/HttpClient.js';
import { TestServer } from '../test-support/TestServer.js';

const EVIL = 'https://evil.example';
const JOB_TTL_MS = 60 * 60_000;
let offsetMs = 0;
let server: TestServer;
let xingren: HttpClient;
let cixi: HttpClient;
let auditor: HttpClient;
const seen: { status: number; body: string }[] = [];

/** A TSA that answers with the platform's own responder, or holds every answer while `hold` is on. */
const tsa = {
  hold: false,
  held: [] as (() => void)[],
  http: undefined as Server | undefined,
  release(): void {
    this.hold = false;
    for (const answer of this.held.splice(0)) answer();
  },
};

const caseBody = {
  matterId: 'shebao-tingjiao',
  handlingSite: 'cixi',
  applicant: { name: '赵六', idNumber: '522501199001011234' },
};
const caseCount = async () => (await xingren.get('/api/cases')).json().cases.length as number;
/** Keeps what a refusal looked like for the report. */
const refusal = (r: TestResponse) => {
  seen.push({ status: r.status, body: r.text });
  return { status: r.status, code: r.json().error?.code as string };
};

beforeAll(async () => {
  tsa.http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = () => {
        server.app.services.pki.handleTimestampRequest(Buffer.concat(chunks)).then(
          (reply) => res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(reply),
          () => res.writeHead(500).end(),
        );
      };
      if (tsa.hold) tsa.held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => tsa.http!.listen(0, '127.0.0.1', resolve));
  server = await TestServer.start({
    seed: true,
    clock: () => new Date(Date.now() + offsetMs),
    tsaUrl: `http://127.0.0.1:${(tsa.http.address() as AddressInfo).port}/tsa`,
    limits: { evidenceJobsPerUser: 3, evidenceJobTtlMs: JOB_TTL_MS },
  });
  [xingren, cixi, auditor] = (await Promise.all(
    ['clerk.xingren', 'clerk.cixi', 'auditor'].map((u) => server.login(u)),
  )) as [HttpClient, HttpClient, HttpClient];
});

afterAll(async () => {
  tsa.release();
  await server?.dispose();
  tsa.http?.close();
  // The refusals this file provoked, for the issue's closing note.
  process.stdout.write(`web-hygiene refusals:\n${seen.map((s) => `  ${s.status} ${s.body}`).join('\n')}\n`);
});

describe('cross-site requests', () => {
  test('attack: a POST whose Origin is another site is refused with 403 cross_origin and creates nothing', async () => {
    const before = await caseCount();
    const r = await xingren.request('POST', '/api/cases', { json: caseBody, headers: { origin: EVIL } });
    expect(refusal(r)).toEqual({ status: 403, code: 'cross_origin' });
    // Origin "null" (sandboxed frames, file:) is not our site either; PUT/PATCH/DELETE are guarded like POST.
    const fromNull = await xingren.request('POST', '/api/cases', { json: caseBody, headers: { origin: 'null' } });
    expect(refusal(fromNull)).toEqual({ status: 403, code: 'cross_origin' });
    expect((await xingren.request('DELETE', '/api/records/any', { headers: { origin: EVIL } })).status).toBe(403);
    expect(await caseCount()).toBe(before);
  });

  test('without Origin, Sec-Fetch-Site cross-site or same-site is refused; no header at all (curl, CLI) passes', async () => {
    const before = await caseCount();
    const crossSite = await xingren.request('POST', '/api/cases', {
      json: caseBody,
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(refusal(crossSite)).toEqual({ status: 403, code: 'cross_origin' });
    const sameSite = await xingren.request('POST', '/api/cases', {
      json: caseBody,
      headers: { 'sec-fetch-site': 'same-site' },
    });
    expect(sameSite.status).toBe(403);
    expect(await caseCount()).toBe(before);
    expect((await xingren.post('/api/cases', caseBody)).status).toBe(201);
  });

  test('a same-origin browser request (Origin = the server, Sec-Fetch-Site same-origin) passes; GETs are not guarded', async () => {
    const browser = { origin: server.url, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' };
    expect((await xingren.request('POST', '/api/cases', { json: caseBody, headers: browser })).status).toBe(201);
    // The Host the browser used (localhost instead of 127.0.0.1) is the site too.
    const port = new URL(server.url).port;
    const viaLocalhost = await xingren.request('POST', '/api/cases', {
      json: caseBody,
      headers: { origin: `https://localhost:${port}`, host: `localhost:${port}` },
    });
    expect(viaLocalhost.status).toBe(201);
    expect((await xingren.get('/api/cases', { headers: { origin: EVIL } })).status).toBe(200);
  });

  test('attack: a cross-site text/plain POST rejecting a case is refused (403), and text/plain alone is 415', async () => {
    const id = (await xingren.post('/api/cases', caseBody)).json().id as string;
    const form = { body: 'reason=x', headers: { 'content-type': 'text/plain' } };
    const crossSite = await cixi.request('POST', `/api/cases/${id}/reject`, {
      ...form,
      headers: { ...form.headers, origin: EVIL },
    });
    expect(refusal(crossSite)).toEqual({ status: 403, code: 'cross_origin' });
    expect(refusal(await cixi.request('POST', `/api/cases/${id}/reject`, form))).toEqual({
      status: 415,
      code: 'unsupported_media_type',
    });
    const formEncoded = { body: 'reason=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    expect((await cixi.request('POST', `/api/cases/${id}/reject`, formEncoded)).status).toBe(415);
    expect((await cixi.get(`/api/cases/${id}`)).json().status).toBe('queued');
    // JSON with a charset is JSON.
    const json = {
      body: JSON.stringify({ reason: '材料不全' }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    };
    expect((await cixi.request('POST', `/api/cases/${id}/reject`, json)).json().status).toBe('rejected');
  });

  test('multipart routes take multipart only, JSON routes no multipart', async () => {
    const pdf = Buffer.from('%PDF-1.7 not used');
    const { body, headers } = multipart(
      { matterId: 'shebao-tingjiao' },
      { field: 'agreement', filename: 'a.pdf', type: 'application/pdf', bytes: pdf },
    );
    expect(refusal(await xingren.request('POST', '/api/cases', { body, headers }))).toEqual({
      status: 415,
      code: 'unsupported_media_type',
    });
    const host = await server.login('clerk.ninghai');
    expect((await host.post('/api/ceremonies', { title: 'x', signers: 'official.ninghai' })).status).toBe(415);
  });
});

describe('session cookie', () => {
  test('Set-Cookie is __Host-tongban_sid; Secure; Path=/; HttpOnly; SameSite=Strict; no Domain — and socket.io takes it', async () => {
    const c = server.client();
    const login = await c.post('/api/auth/login', { username: 'clerk.cixi', password: DEMO_PASSWORD });
    expect(login.status).toBe(200);
    const setCookie = (login.headers['set-cookie'] as string[])[0]!;
    expect(setCookie.startsWith('__Host-tongban_sid=')).toBe(true);
    const attributes = setCookie
      .split(';')
      .slice(1)
      .map((a) => a.trim().split('=')[0]!.toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['path', 'httponly', 'secure', 'samesite']));
    expect(attributes).not.toContain('domain');
    expect(setCookie).toMatch(/; Path=\/;/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const socket = await server.socket(c);
    expect(socket.connected).toBe(true);
    // The old name no longer authenticates anyone, over HTTP or socket.io.
    const oldName = server.client();
    oldName.cookie = c.cookie!.replace(`${SESSION_COOKIE}=`, 'tongban_sid=');
    expect((await oldName.get('/api/cases')).status).toBe(401);
    await expect(server.socket(oldName)).rejects.toThrow(/unauthenticated/);
  });

  test('a socket.io handshake from another site is refused', async () => {
    const c = await server.login('clerk.cixi');
    const { io } = await import('socket.io-client');
    const socket = io(server.url, {
      transports: ['websocket'],
      ca: server.rootPem,
      extraHeaders: { cookie: c.cookie!, origin: EVIL },
      reconnection: false,
      forceNew: true,
    });
    await expect(
      new Promise((resolve, reject) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', reject);
      }),
    ).rejects.toThrow();
    socket.disconnect();
  });
});

describe('evidence jobs', () => {
  let recordId: string;

  async function agreementPdf(): Promise<Uint8Array> {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    doc.addPage([595, 842]).drawText('Cooperation agreement', { x: 60, y: 760, size: 16, font });
    return doc.save();
  }

  const waitForHeld = (n: number) =>
    vi.waitFor(() => expect(tsa.held.length).toBe(n), { timeout: 60_000, interval: 50 });
  const waitDone = (id: string) =>
    vi.waitFor(
      async () => {
        const job = (await auditor.get(`/api/evidence-jobs/${id}`)).json();
        expect(job.status).toBe('done');
        return job as { id: string; sha256: string };
      },
      { timeout: 60_000, interval: 200 },
    );

  beforeAll(async () => {
    // A real record: a one-signer ceremony, signed and archived over HTTP.
    const [host, official] = (await Promise.all(['clerk.ninghai', 'official.ninghai'].map((u) => server.login(u)))) as [
      HttpClient,
      HttpClient,
    ];
    const { body, headers } = multipart(
      { title: '宁海 合作协议', signers: 'official.ninghai', witnesses: 'clerk.jiaojiang' },
      { field: 'agreement', filename: 'agreement.pdf', type: 'application/pdf', bytes: await agreementPdf() },
    );
    const created = await host.post('/api/ceremonies', undefined, { body, headers });
    expect(created.status, created.text).toBe(201);
    const ceremonyId = created.json().id as string;
    const signed = await official.post(`/api/ceremonies/${ceremonyId}/sign`, { pin: DEMO_PIN });
    expect(signed.status, signed.text).toBe(200);
    const archived = await host.post(`/api/ceremonies/${ceremonyId}/archive`);
    expect(archived.status, archived.text).toBe(201);
    recordId = archived.json().recordId;
  });

  test('attack: three jobs running at once per user; a fourth is refused with 429 until one finishes', async () => {
    tsa.hold = true;
    const started = [];
    for (let i = 0; i < 3; i++) {
      const r = await auditor.post(`/api/records/${recordId}/evidence`);
      expect(r.status, r.text).toBe(202);
      started.push(r.json().id as string);
    }
    await waitForHeld(3); // each job is sealing its package: all three are running
    const fourth = await auditor.post(`/api/records/${recordId}/evidence`);
    expect(refusal(fourth)).toEqual({ status: 429, code: 'rate_limited' });
    tsa.release();
    for (const id of started) await waitDone(id);
    const again = await auditor.post(`/api/records/${recordId}/evidence`);
    expect(again.status).toBe(202);
    await waitDone(again.json().id);
  });

  test('a finished job expires after its time to live: job and download 404, the package deleted, the purge audited', async () => {
    const started = await auditor.post(`/api/records/${recordId}/evidence`);
    const job = await waitDone(started.json().id);
    expect((await auditor.get(`/api/evidence-jobs/${job.id}/download`)).status).toBe(200);
    const { blobs, audit } = server.app.services;
    expect(await blobs.has(job.sha256)).toBe(true);
    offsetMs += JOB_TTL_MS + 60_000;
    const expired = await auditor.get(`/api/evidence-jobs/${job.id}/download`);
    expect(refusal(expired)).toEqual({ status: 404, code: 'not_found' });
    expect((await auditor.get(`/api/evidence-jobs/${job.id}`)).status).toBe(404);
    expect(await blobs.has(job.sha256)).toBe(false);
    const purged = (await audit.forTargets([`record:${recordId}`])).filter((e) => e.action === 'evidence.purged');
    expect(purged.map((e) => (e.details as { job: string }).job)).toContain(job.id);
  });
});
