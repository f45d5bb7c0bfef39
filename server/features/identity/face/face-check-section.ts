// The 身份核验确认书's section on face match and liveness (issue 15 §3): every check of the session
// with its score, threshold, label, model and version, its recording chain link, and, apart from it,
// the handling clerk's decision, so the paper shows that the system advised and a person decided.
import type { PDFDocument, PDFFont, PDFPage } from 'pdf-lib';
import type { FaceCheck } from '../../../../protocol/http/face-check.js';
import { A4, MARGIN, TextCursor } from '../../documents/index.js';

const LABELS: Record<FaceCheck['label'], string> = {
  pass: '通过 pass',
  doubt: '存疑 doubt',
  no_face: '未检出人脸 no face',
};
const PROMPTS = { turn_head: '转头 turn head', blink: '眨眼 blink' } as const;
const DECISIONS = { accepted: '采纳 accepted', rejected: '不采纳 rejected' } as const;

export interface SectionPlace {
  readonly page: PDFPage;
  readonly cursor: TextCursor;
}

/** Writes the section below `at`, on a new page when it does not fit; returns where it ended. */
export function drawFaceCheckSection(
  doc: PDFDocument,
  font: PDFFont,
  at: SectionPlace,
  checks: readonly FaceCheck[],
): SectionPlace {
  let { page, cursor } = at;
  const needed = 60 + checks.length * 48;
  if (cursor.y - needed < MARGIN + 170) {
    page = doc.addPage([...A4]);
    cursor = new TextCursor(page, font, A4[1] - MARGIN);
  }
  cursor.rule();
  cursor.line('人脸比对与活体检测 Face match and liveness（系统建议，由受理员判断 advice; the clerk decides）', 12);
  if (checks.length === 0) {
    cursor.line('未进行 none performed', 9, MARGIN + 10);
    return { page, cursor };
  }
  checks.forEach((c, i) => {
    const what = c.kind === 'match' ? '人像比对 face match' : `活体检测 liveness · ${PROMPTS[c.prompt ?? 'turn_head']}`;
    const score =
      c.score === null
        ? '分数 score —'
        : c.kind === 'match'
          ? `相似度 similarity ${c.score.toFixed(4)} / 阈值 threshold ${c.threshold}`
          : c.prompt === 'turn_head'
            ? `转头幅度 yaw range ${c.score}° / 阈值 threshold ${c.threshold}°`
            : `眼睑开合变化 eye-opening range ${c.score} / 阈值 threshold ${c.threshold}`;
    cursor.line(`${i + 1}. ${what} · 建议 advice: ${LABELS[c.label]} · ${score}`, 9, MARGIN + 10);
    cursor.line(
      `模型 model ${c.model} · 版本 version ${c.modelVersion} · 耗时 ${c.analysisMs} ms · 录像偏移 offset +${c.offsetMs} ms · 录像链 chain link #${c.chainIndex} h=${c.chainHash.slice(0, 16)}…`,
      7.5,
      MARGIN + 22,
    );
    cursor.line(
      c.decision
        ? `受理员判断 clerk decision: ${DECISIONS[c.decision.decision]} · ${c.decision.decidedBy} · ${c.decision.decidedAt} · 链 link #${c.decision.chainIndex}`
        : '受理员判断 clerk decision: 未作出 none recorded',
      7.5,
      MARGIN + 22,
    );
  });
  return { page, cursor };
}
