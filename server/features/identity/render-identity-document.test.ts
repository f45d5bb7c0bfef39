// The 身份核验确认书 as poppler reads it: CJK text extractable from an embedded font subset, every
// fact printed, the checkpoint also machine-readable, the signature boxes on the last page.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { NOTO_SANS_CJK_TTC } from '../documents/index.js';
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
