// The 身份核验确认书 as poppler reads it: CJK text extractable from an embedded font subset, every
// fact printed, the checkpoint also machine-readable, the signature boxes on the last page; the
// verification QR stamped on it decodes (pdftoppm + jsQR) to the /v/ URL with the document's hash.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import jsQRModule from 'jsqr';
import { NOTO_SANS_CJK_TTC, stampVerificationQr, verificationLink } from '../documents/index.js';
import { readCheckpointInfo } from '../recording/index.js';
import { testImage } from '../../test-support/flow-fixtures.js';
import { renderIdentityDocument, type RenderedIdentityDocument } from './render-identity-document.js';

const checkpoint = {
  sessionId: 'session-1',
  head: 'c0ffee'.padEnd(64, '0'),
  segmentCount: 7,
  offsetMs: 93_000,
  at: '2026-06-01T08:05:00.000Z',
};
const dir = mkdtempSync(join(tmpdir(), 'tongban-idpdf-'));
let rendered: RenderedIdentityDocument;
const poppler = (tool: string, ...args: string[]) =>
  spawnSync(tool, [...args, join(dir, 'id.pdf'), ...(tool === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8' });

beforeAll(async () => {
  const png = testImage('png');
  const jpeg = testImage('jpeg');
  rendered = await renderIdentityDocument({
    caseNumber: 'TB-2026-000042',
    caseId: 'case-42',
    matter: '户口簿补办',
    originatingSite: '舟山市普陀区户证中心',
    handlingSite: '宁波市江北区户证中心',
    applicant: { name: '欧阳娜娜', idMasked: '3302**********123X' },
    originatingClerk: '李四',
    handlingClerk: '张三',
    checklist: { faceVisible: true, idFrontShown: true, idBackShown: true, statedNameAndPurpose: true },
    snapshots: [
      {
        kind: 'face',
        mediaType: 'image/png',
        bytes: png,
        sha256: 'aa'.repeat(32),
        offsetMs: 12_000,
        takenAt: checkpoint.at,
        chainIndex: 3,
        chainHash: 'cd'.repeat(32),
      },
      {
        kind: 'id',
        mediaType: 'image/jpeg',
        bytes: jpeg,
        sha256: 'bb'.repeat(32),
        offsetMs: 45_000,
        takenAt: checkpoint.at,
        chainIndex: 7,
        chainHash: 'ef'.repeat(32),
      },
    ],
    sessionStartedAt: '2026-06-01T08:00:00.000Z',
    confirmedAt: checkpoint.at,
    checkpoint,
    font: new Uint8Array(readFileSync(NOTO_SANS_CJK_TTC)),
  });
  writeFileSync(join(dir, 'id.pdf'), rendered.pdf);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a font subset is embedded and every fact can be read back', () => {
  expect(rendered.pdf.byteLength).toBeLessThan(400_000);
  const fonts = poppler('pdffonts').stdout;
  expect(fonts).toMatch(/[A-Z]{6}\+NotoSansCJKsc-Regular\s+CID Type 0C\s+Identity-H\s+yes yes yes/);
  const text = poppler('pdftotext').stdout;
  for (const fact of [
    '身份核验确认书',
    'TB-2026-000042',
    '户口簿补办',
    '舟山市普陀区户证中心',
    '宁波市江北区户证中心',
    '欧阳娜娜',
    '3302**********123X',
    '意愿确认',
    checkpoint.head,
    'offset +45000 ms',
    'chain link #7 h=efefefefefefefef',
    'chain link #3 h=cdcdcdcdcdcdcdcd',
    '93000 ms',
  ]) {
    expect(text, fact).toContain(fact);
  }
});

test('the checkpoint is in the Info dictionary; three signature boxes side by side on the last page', async () => {
  expect(await readCheckpointInfo(rendered.pdf)).toEqual(checkpoint);
  const pages = Number(/Pages:\s+(\d+)/.exec(poppler('pdfinfo').stdout)?.[1]);
  const { applicant, witness, confirmer } = rendered.boxes;
  expect([applicant.page, witness.page, confirmer.page]).toEqual([pages, pages, pages]);
  expect(applicant.rect[0] + applicant.rect[2]).toBeLessThan(witness.rect[0]);
  expect(witness.rect[0] + witness.rect[2]).toBeLessThan(confirmer.rect[0]);
});

test('the verification stamp: a QR that a decoder reads back as the /v/ URL of the unstamped document, an earlier revision', async () => {
  const base = 'https://desk.example.gov.cn';
  const stamped = stampVerificationQr(rendered.pdf, (h) => verificationLink(base, h));
  const h = createHash('sha256').update(rendered.pdf).digest('hex');
  expect(stamped.verifySha256).toBe(h);
  // An incremental update: the unstamped bytes are an exact prefix, so anyone can re-compute H.
  expect(Buffer.from(stamped.pdf.subarray(0, rendered.pdf.byteLength)).equals(Buffer.from(rendered.pdf))).toBe(true);
  writeFileSync(join(dir, 'stamped.pdf'), stamped.pdf);
  const pages = Number(/Pages:\s+(\d+)/.exec(poppler('pdfinfo').stdout)?.[1]);
  // Rasterise the last page as poppler prints it and let jsQR find and decode the code.
  const out = join(dir, 'page');
  const run = spawnSync('pdftoppm', [
    '-r',
    '300',
    '-f',
    String(pages),
    '-l',
    String(pages),
    '-singlefile',
    join(dir, 'stamped.pdf'),
    out,
  ]);
  expect(run.status).toBe(0);
  const { width, height, rgba } = readPpm(readFileSync(`${out}.ppm`));
  const code = jsQR(rgba, width, height);
  expect(code?.data).toBe(`${base}/v/${h}`);
  // The short URL is printed beside it (Courier, text-extractable).
  const text = spawnSync('pdftotext', ['-f', String(pages), join(dir, 'stamped.pdf'), '-'], {
    encoding: 'utf8',
  }).stdout;
  expect(text).toContain(`${base}/v/${h.slice(0, 16)}`);
});

/** jsqr is CommonJS: its default export, typed, is the module's `default`. */
const jsQR = jsQRModule.default;

/** A binary PPM (P6, maxval 255) as RGBA pixels. */
function readPpm(ppm: Buffer): { width: number; height: number; rgba: Uint8ClampedArray } {
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('not a P6 PPM');
  const [width, height] = [Number(header[1]), Number(header[2])];
  const pixels = ppm.subarray(header[0].length);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[i * 4] = pixels[i * 3]!;
    rgba[i * 4 + 1] = pixels[i * 3 + 1]!;
    rgba[i * 4 + 2] = pixels[i * 3 + 2]!;
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}
