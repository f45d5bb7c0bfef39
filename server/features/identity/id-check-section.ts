// The "ID check" section of the 身份核验确认书 (issue 15 §2): what tesseract read off the ID card
// snapshots (number masked), each value's confidence, each check's result, the engine and the chain
// links holding the reads. Printed as advice: the handling clerk confirmed by their own judgement.
import { PDFDocument, type PDFFont, type PDFPage } from 'pdf-lib';
import type { IdCheck, IdCheckKey, IdCheckStatus } from '../../../protocol/http/id-check.js';
import { A4, MARGIN, TextCursor } from '../documents/index.js';

const FIELDS = [
  ['name', '姓名 Name'],
  ['sex', '性别 Sex'],
  ['ethnicity', '民族 Ethnicity'],
  ['birth', '出生 Birth'],
  ['address', '住址 Address'],
  ['idNumber', '公民身份号码 ID (masked)'],
  ['authority', '签发机关 Issued by'],
  ['validFrom', '有效期起 Valid from'],
  ['validTo', '有效期至 Valid to'],
] as const;

const CHECKS: readonly (readonly [IdCheckKey, string])[] = [
  ['checksum', '号码校验位 GB 11643 checksum'],
  ['matchesApplicant', '号码与申请人一致 number matches applicant (HMAC)'],
  ['nameMatches', '姓名与申请人一致 name matches applicant'],
  ['birthMatches', '出生日期与号码一致 birth date matches number'],
  ['sexMatches', '性别与号码一致 sex matches number'],
  ['validity', '有效期 validity'],
];

const STATUS: Record<IdCheckStatus, string> = { pass: '✓ 通过 pass', fail: '✗ 不符 FAIL', unread: '– 未识别 not read' };

/** Lines the section needs at most (a new page is started when they do not fit). */
const SECTION_HEIGHT = 330;

/**
 * Draws the section at the cursor (on a new page when it does not fit) and returns where drawing
 * goes on. Without a read, one line says the card was not read.
 */
export function drawIdCheckSection(
  doc: PDFDocument,
  at: { page: PDFPage; cursor: TextCursor },
  font: PDFFont,
  check: IdCheck | undefined,
): { page: PDFPage; cursor: TextCursor } {
  let { page, cursor } = at;
  if (cursor.y - (check ? SECTION_HEIGHT : 40) < MARGIN) {
    page = doc.addPage([...A4]);
    cursor = new TextCursor(page, font, A4[1] - MARGIN);
  }
  cursor.line('证件识别 ID check (OCR, 仅供参考 advice only)', 12);
  if (!check) {
    cursor.line('未识别证件 The ID card was not read.', 9, MARGIN + 10);
    cursor.rule();
    return { page, cursor };
  }
  for (const [key, label] of FIELDS) {
    const f = check.fields[key];
    cursor.field(label, f ? `${f.value}  (置信度 confidence ${f.confidence.toFixed(0)})` : '—', 9);
  }
  for (const [key, label] of CHECKS) {
    const extra = key === 'validity' ? ` (${check.checks.validityState})` : '';
    cursor.line(`${STATUS[check.checks[key]]} · ${label}${extra}`, 9, MARGIN + 10);
  }
  const reads = [check.front, check.back].filter((r) => r !== null);
  for (const r of reads)
    cursor.line(
      `${r.side === 'front' ? '正面 front' : '背面 back'}: ${r.engine}, ${r.elapsedMs} ms, 录像链 chain link #${r.chainIndex} h=${(r.chainHash ?? '').slice(0, 16)}…`,
      7,
      MARGIN + 10,
    );
  cursor.rule();
  return { page, cursor };
}
