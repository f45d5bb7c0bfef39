// Test helpers around the independent tools (pdfsig, openssl, qpdf, certutil, chromium): every
// check of our output goes through software we did not write.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { certificatePem } from '../../certs/encoding.js';
import { derLength } from '../verify/read-signatures.js';

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(cmd: string, args: readonly string[], input?: Uint8Array): RunResult {
  const r = spawnSync(cmd, args, { input, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout?.toString('utf8') ?? '', stderr: r.stderr?.toString('utf8') ?? '' };
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `tongban-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An NSS database trusting `root` (for pdfsig -nssdir sql:DIR). */
export function nssDatabase(dir: string, root: Uint8Array): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'root.pem'), certificatePem(root));
  for (const args of [
    ['-N', '-d', `sql:${dir}`, '--empty-password'],
    ['-A', '-n', 'root', '-t', 'CT,C,C', '-i', join(dir, 'root.pem'), '-d', `sql:${dir}`],
  ]) {
    const r = run('certutil', args);
    if (r.status !== 0) throw new Error(`certutil ${args[0]} failed: ${r.stderr}`);
  }
  return `sql:${dir}`;
}

export interface PdfsigSignature {
  readonly field: string;
  readonly commonName: string;
  readonly type: string;
  readonly signatureValidation: string;
  readonly certificateValidation: string;
}

export function pdfsig(nssdir: string, file: string): PdfsigSignature[] {
  const r = run('pdfsig', ['-nssdir', nssdir, file]);
  return r.stdout
    .split(/^Signature #\d+:$/m)
    .slice(1)
    .map((block) => {
      const get = (label: string): string => new RegExp(`- ${label}: (.*)$`, 'm').exec(block)?.[1]?.trim() ?? '';
      return {
        field: get('Signature Field Name'),
        commonName: get('Signer Certificate Common Name'),
        type: get('Signature Type'),
        signatureValidation: get('Signature Validation'),
        certificateValidation: get('Certificate Validation'),
      };
    });
}

/** Prints `html` to PDF with headless Chromium (a PDF made by software we did not write). */
export function chromiumPdf(dir: string, name: string, html: string): string {
  const htmlFile = join(dir, `${name}.html`);
  const out = join(dir, `${name}.pdf`);
  writeFileSync(htmlFile, html);
  const r = run('chromium', [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${join(dir, `chromium-${name}`)}`,
    `--print-to-pdf=${out}`,
    '--no-pdf-header-footer',
    htmlFile,
  ]);
  if (r.status !== 0) throw new Error(`chromium failed: ${r.stderr.slice(0, 500)}`);
  return out;
}

/** An HTML contract in Chinese, `pages` pages long. */
export function contractHtml(pages: number): string {
  const page = (i: number): string =>
    `<section style="page-break-after:always"><h1>跨域通办协议 第${i + 1}页</h1>${'<p>慈溪市政务服务办与兴仁市政务服务中心就异地办理事项达成如下约定：申请人身份核验、材料审核与签署均在视频见证下完成。</p>'.repeat(12)}</section>`;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>body{font-family:"Noto Sans CJK SC",sans-serif}</style></head><body>${Array.from({ length: pages }, (_, i) => page(i)).join('')}</body></html>`;
}

export interface ExtractedSignature {
  readonly der: Buffer;
  readonly signedBytes: Buffer;
}

/** Each signature's DER and the bytes its ByteRange covers, read with plain regular expressions. */
export function extractSignatures(pdf: Buffer): ExtractedSignature[] {
  const text = pdf.toString('latin1');
  const out: ExtractedSignature[] = [];
  for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const [a, b, c, d] = m.slice(1, 5).map(Number) as [number, number, number, number];
    const padded = Buffer.from(text.slice(b + 1, c - 1), 'hex');
    out.push({
      der: padded.subarray(0, derLength(padded)),
      signedBytes: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]),
    });
  }
  return out;
}

/** A small RGBA PNG (a red ring, like a seal) encoded here so the tests need no image files. */
export function sealPng(size = 64): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x - size / 2, y - size / 2);
      const on = r < size / 2 - 1 && r > size / 2 - 7;
      row.set(on ? [200, 20, 20, 255] : [255, 255, 255, 0], 1 + x * 4);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
