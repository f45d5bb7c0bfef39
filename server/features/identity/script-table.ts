// The 确认书's sections for issue 15 §1 and §4: the 意愿确认 script as a numbered table (prompt,
// expected, answer, recording offset and chain link) and the materials captured in the session
// (name, type, size, SHA-256, time). A corrected answer shows the final one, marked 更正, and a line
// under the row with the replaced answer's offset and link beside the final one's. Drawn by renderIdentityDocument after the checklist.
import type { PDFDocument, PDFFont } from 'pdf-lib';
import { A4, MARGIN, TextCursor, wrapText } from '../documents/index.js';
import type { CorrectedAnswer } from '../../../protocol/http/script.js';

export interface ScriptTableRow {
  readonly n: number;
  readonly text: string;
  readonly expected: 'yes' | 'no';
  readonly answer: 'yes' | 'no' | null;
  readonly answerOffsetMs: number | null;
  readonly answerChainIndex: number | null;
  /** Earlier answers replaced by asking the step again. */
  readonly corrected: readonly CorrectedAnswer[];
}

export interface ScriptSection {
  readonly matterId: string;
  readonly version: number;
  readonly rows: readonly ScriptTableRow[];
}

export interface MaterialLine {
  readonly name: string;
  readonly mediaType: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly takenAt: string;
  readonly offsetMs: number;
  readonly chainIndex: number;
}

const SIZE = 8;
const ROW = SIZE * 1.45;
const zhAnswer = { yes: '是 yes', no: '否 no' } as const;
/** Column x offsets from the margin: №, prompt, expected, answer, offset/link. */
const COLUMNS = [0, 18, 330, 380, 430] as const;

/** Draws both sections; returns the cursor to go on with (on a new page when one was needed). */
export function drawScriptAndMaterials(
  doc: PDFDocument,
  cursor: TextCursor,
  font: PDFFont,
  script: ScriptSection | null,
  materials: readonly MaterialLine[],
): TextCursor {
  let c = cursor;
  const room = (lines: number) => {
    if (c.y - lines * ROW < MARGIN + 20) c = new TextCursor(doc.addPage([...A4]), font, A4[1] - MARGIN);
  };
  const cells = (texts: readonly string[]) => {
    const wrapped = texts.map((t, i) =>
      wrapText(t, font, SIZE, (COLUMNS[i + 1] ?? A4[0] - 2 * MARGIN) - COLUMNS[i]! - 4),
    );
    const height = Math.max(...wrapped.map((w) => w.length));
    room(height);
    const top = c.y;
    wrapped.forEach((lines, i) =>
      lines.forEach((l, j) =>
        c.page.drawText(l, { x: MARGIN + COLUMNS[i]!, y: top - (j + 1) * ROW, size: SIZE, font }),
      ),
    );
    c.skip(height * ROW);
  };
  if (script) {
    c.rule();
    c.line(`意愿确认 Consent script (${script.matterId} v${script.version})`, 12);
    cells(['#', '提示 Prompt', '应答 Expected', '回答 Answer', '偏移 Offset · 链 Link']);
    for (const r of script.rows) {
      cells([
        String(r.n),
        r.text,
        zhAnswer[r.expected],
        (r.answer ? zhAnswer[r.answer] : '—') + (r.corrected.length ? ' (更正)' : ''),
        r.answerOffsetMs === null ? '—' : `+${r.answerOffsetMs} ms #${r.answerChainIndex}`,
      ]);
      for (const e of r.corrected) {
        room(1);
        c.line(
          `更正 corrected: 原 was ${zhAnswer[e.answer]} +${e.offsetMs} ms #${e.chainIndex} → 重问后 re-asked: ` +
            (r.answer ? `${zhAnswer[r.answer]} +${r.answerOffsetMs} ms #${r.answerChainIndex}` : '—'),
          SIZE,
          MARGIN + COLUMNS[1],
        );
      }
    }
  }
  if (materials.length) {
    c.rule();
    c.line('材料 Materials', 12);
    for (const [i, m] of materials.entries()) {
      room(2);
      c.line(
        `${i + 1}. ${m.name} · ${m.mediaType} · ${m.bytes} bytes · ${m.takenAt} · +${m.offsetMs} ms #${m.chainIndex}`,
        SIZE,
        MARGIN + 10,
      );
      c.line(`sha256 ${m.sha256}`, SIZE - 1, MARGIN + 18);
    }
  }
  return c;
}
