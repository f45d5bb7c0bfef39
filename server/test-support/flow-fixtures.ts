// Inputs and independent checks for the flow tests: multipart bodies, real PNG/JPEG images made
// by ffmpeg, a handwriting data URL, and pdfsig with the platform root in a throwaway NSS db.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';

export function multipart(
  fields: Record<string, string>,
  file: { field: string; filename: string; type: string; bytes: Uint8Array },
) {
  const boundary = `----tongban${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    Buffer.from(file.bytes),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A real image from ffmpeg's test sources: `testsrc` as PNG, `smptebars` as JPEG. */
export function testImage(kind: 'png' | 'jpeg', size = '320x240'): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-img-'));
  const out = join(dir, kind === 'png' ? 'a.png' : 'a.jpg');
  const source = kind === 'png' ? `testsrc=size=${size}` : `smptebars=size=${size}`;
  const r = spawnSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', source, '-frames:v', '1', out]);
  if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
  const bytes = readFileSync(out);
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

export const handwritingDataUrl = () => `data:image/png;base64,${testImage('png', '240x80').toString('base64')}`;

/** The multipart body of POST /api/ceremonies: a one-page agreement for ninghai and jiaojiang, witnessed. */
export async function ceremonyRequest(): Promise<ReturnType<typeof multipart>> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  page.drawText('Cooperation agreement', { x: 60, y: 760, size: 16, font });
  // Each agreement its own bytes: two made in the same second were byte for byte the same (pdf-lib
  // dates to the second), so two ceremonies shared one content-addressed blob, and deleting one
  // record rightly kept the blob the other still used (retention.test failed on it once).
  page.drawText(`No. ${randomBytes(6).toString('hex')}`, { x: 60, y: 736, size: 10, font });
  return multipart(
    { title: '宁海–椒江 通办合作协议', signers: 'official.ninghai,official.jiaojiang', witnesses: 'clerk.jiaojiang' },
    { field: 'agreement', filename: 'agreement.pdf', type: 'application/pdf', bytes: await doc.save() },
  );
}

export interface PdfsigResult {
  readonly status: number | null;
  readonly output: string;
}

/** pdfsig on the PDF with `rootPem` as the only trusted CA (its own NSS database). */
export function pdfsig(pdf: Uint8Array, rootPem: string): PdfsigResult {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-nss-'));
  try {
    writeFileSync(join(dir, 'root.pem'), rootPem);
    writeFileSync(join(dir, 'doc.pdf'), pdf);
    const nss = `sql:${dir}`;
    for (const args of [
      ['-N', '-d', nss, '--empty-password'],
      ['-A', '-n', 'tongban-root', '-t', 'CT,C,C', '-i', join(dir, 'root.pem'), '-d', nss],
    ]) {
      const r = spawnSync('certutil', args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`certutil ${args[0]}: ${r.stderr}`);
    }
    const r = spawnSync('pdfsig', ['-nssdir', nss, join(dir, 'doc.pdf')], { encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
