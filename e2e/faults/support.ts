// Shared pieces of the fault tests: the server harness (a real app in a child process, see
// bench/support/harness.ts), HTTPS clients logged in as demo users, multipart bodies, agreement
// PDFs, the built CLI, and SQLite's own integrity check.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Harness } from '../../bench/support/harness.js';
import { HttpClient, type TestResponse } from '../../server/test-support/HttpClient.js';
import { SESSION_COOKIE } from '../../server/features/auth/index.js';
import { databaseFile } from '../../server/kernel/store/paths.js';

export { DEMO_PIN } from '../../server/demo/demo-data.js';

export async function clientAs(h: Harness, userId: string): Promise<HttpClient> {
  const { token } = (await h.request('loginToken', { userId })) as { token: string };
  const c = new HttpClient(h.url, h.ready.rootPem);
  c.cookie = `${SESSION_COOKIE}=${token}`;
  return c;
}

/** A multipart/form-data body with text fields and one file part. */
export function multipart(
  fields: Record<string, string>,
  file: { field: string; name: string; type: string; bytes: Uint8Array },
): { body: Buffer; headers: Record<string, string> } {
  const boundary = `----tongban${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
  );
  parts.push(Buffer.from(file.bytes), Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** POST /api/ceremonies: the upload endpoint that takes a PDF (flow B's agreement). */
export function uploadAgreement(c: HttpClient, pdf: Uint8Array, signers = 'official.ninghai'): Promise<TestResponse> {
  const { body, headers } = multipart(
    { title: '合作协议 fault test', signers },
    { field: 'agreement', name: 'agreement.pdf', type: 'application/pdf', bytes: pdf },
  );
  return c.request('POST', '/api/ceremonies', { body, headers });
}

/** A small agreement; `padBytes` of incompressible data in an attachment make it as large as needed. */
export async function agreementPdf(pages = 2, padBytes = 0): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage([595, 842]);
    page.drawText(`Cooperation agreement, article ${i}`, { x: 50, y: 780, size: 14, font });
  }
  if (padBytes > 0) await doc.attach(randomBytes(padBytes), 'annex.bin', { mimeType: 'application/octet-stream' });
  return doc.save({ useObjectStreams: false });
}

const cli = join(import.meta.dirname, '../../bin/tongban.cjs');

/** The built CLI (the vitest global setup compiles dist/; `npm run faults` builds first). */
export function tongban(args: readonly string[], timeoutMs = 60_000) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

export function integrityCheck(dataDir: string): string {
  const db = new BetterSqlite3(databaseFile(dataDir), { readonly: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** Rejects if the promise takes longer than `ms`. */
export function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}

/** Polls an async condition every 200 ms until it holds, or fails after `ms` naming `what`. */
export async function until<T>(ms: number, what: string, probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const end = performance.now() + ms;
  let last: T | undefined;
  while (performance.now() < end) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}
