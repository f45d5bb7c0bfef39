// Renders the identity-verification record (身份核验确认书) that the applicant, the originating
// clerk and the handling clerk then sign in turn. Everything a later reader needs is printed:
// case, matter, sites, parties (ID masked), checklist, snapshots with their hashes and recording
// offsets, times, and the recording checkpoint that binds this paper to the video.
import { PDFDocument, rgb, type PDFImage } from 'pdf-lib';
import { embedCjkFont } from '../documents/index.js';
import { setCheckpointInfo, type RecordingCheckpoint } from '../recording/index.js';
import { A4, MARGIN, signatureRow, TextCursor, type SignatureBox } from '../documents/index.js';
import { checklistItems, type Checklist } from './checklist.js';
import type { FaceCheck } from '../../../protocol/http/face-check.js';
import { drawFaceCheckSection } from './face/face-check-section.js';
import type { IdCheck } from '../../../protocol/http/id-check.js';
import { drawIdCheckSection } from './id-check-section.js';
import { drawScriptAndMaterials, type MaterialLine, type ScriptSection } from './script-table.js';

export interface IdentityDocumentSnapshot {
  readonly kind: 'face' | 'id';
  readonly mediaType: 'image/png' | 'image/jpeg';
  readonly bytes: Uint8Array;
  readonly sha256: string;
  readonly offsetMs: number;
  readonly takenAt: string;
  /** The recording chain link that holds this image (snapshots are taken from the recording). */
  readonly chainIndex: number | null;
  readonly chainHash: string | null;
}

export interface IdentityDocumentInput {
  readonly caseNumber: string;
  readonly caseId: string;
  readonly matter: string;
  readonly originatingSite: string;
  readonly handlingSite: string;
  readonly applicant: { readonly name: string; readonly idMasked: string };
  readonly originatingClerk: string;
  readonly handlingClerk: string;
  readonly checklist: Checklist;
  readonly snapshots: readonly IdentityDocumentSnapshot[];
  readonly sessionStartedAt: string;
  readonly confirmedAt: string;
  readonly checkpoint: RecordingCheckpoint;
  /** Face match and liveness advice with the clerk's decisions (absent: no such section). */
  readonly faceChecks?: readonly FaceCheck[];
  /** Noto Sans CJK collection bytes. */
  readonly font: Uint8Array;
  /** What was read off the ID card snapshots (advice), when they were read. */
  readonly idCheck?: IdCheck | undefined;
  /** The 意愿确认 script as run (issue 15 §1); absent or null when the matter has none. */
  readonly script?: ScriptSection | null;
  /** Materials captured in the session (issue 15 §4). */
  readonly materials?: readonly MaterialLine[];
}

/** Signing order of the identity document; the boxes are laid out in this order. */
export const identitySignerRoles = ['applicant', 'witness', 'confirmer'] as const;
export type IdentitySignerRole = (typeof identitySignerRoles)[number];

export interface RenderedIdentityDocument {
  readonly pdf: Uint8Array;
  readonly boxes: Readonly<Record<IdentitySignerRole, SignatureBox>>;
}

const THUMB_W = 150;
const THUMB_H = 112;
const SIGNATURE_AREA = 170;

export async function renderIdentityDocument(input: IdentityDocumentInput): Promise<RenderedIdentityDocument> {
  const doc = await PDFDocument.create();
  const created = new Date(input.confirmedAt);
  doc.setTitle(`身份核验确认书 ${input.caseNumber}`);
  doc.setSubject('远程身份核验 / remote identity confirmation');
  doc.setProducer('Tongban Desk');
  doc.setCreator('Tongban Desk');
  doc.setCreationDate(created);
  doc.setModificationDate(created);
  setCheckpointInfo(doc, input.checkpoint);
  const font = await embedCjkFont(doc, input.font);

  let page = doc.addPage([...A4]);
  let cursor = new TextCursor(page, font, A4[1] - MARGIN);
  cursor.line('身份核验确认书', 20, MARGIN);
  cursor.line('Remote identity confirmation record · 跨域通办远程身份核验', 9);
  cursor.rule();
  cursor.field('案件编号 Case', `${input.caseNumber}  (${input.caseId})`);
  cursor.field('办理事项 Matter', input.matter);
  cursor.field('受理地 Handling', input.handlingSite);
  cursor.field('帮办地 Originating', input.originatingSite);
  cursor.field('申请人 Applicant', input.applicant.name);
  cursor.field('身份证号 ID (masked)', input.applicant.idMasked);
  cursor.field('受理员 Handling clerk', input.handlingClerk);
  cursor.field('帮办员 Originating clerk', input.originatingClerk);
  cursor.field('视频开始 Session start', input.sessionStartedAt);
  cursor.field('核验时间 Confirmed at', input.confirmedAt);
  cursor.rule();
  cursor.line('核验清单 Checklist', 12);
  for (const item of checklistItems) {
    cursor.line(`${input.checklist[item.key] ? '☑' : '☐'} ${item.zh} / ${item.en}`, 10, MARGIN + 10);
  }
  cursor = drawScriptAndMaterials(doc, cursor, font, input.script ?? null, input.materials ?? []);
  page = cursor.page;
  cursor.rule();
  cursor.line('录像检查点 Recording checkpoint', 12);
  cursor.field('会话 Session', input.checkpoint.sessionId, 8);
  cursor.field('链头 Chain head', input.checkpoint.head, 8);
  cursor.field('片段数 Segments', String(input.checkpoint.segmentCount), 8);
  cursor.field('偏移 Offset', `${input.checkpoint.offsetMs} ms`, 8);
  cursor.rule();
  ({ page, cursor } = drawIdCheckSection(doc, { page, cursor }, font, input.idCheck));
  cursor.line('核验截图 Snapshots', 12);

  const images = await Promise.all(input.snapshots.map((s) => embedImage(doc, s)));
  let column = 0;
  for (const [i, snap] of input.snapshots.entries()) {
    const perRow = Math.floor((A4[0] - 2 * MARGIN) / (THUMB_W + 10));
    if (column === 0 && cursor.y - THUMB_H - 40 < MARGIN) {
      page = doc.addPage([...A4]);
      cursor = new TextCursor(page, font, A4[1] - MARGIN);
    }
    const x = MARGIN + column * (THUMB_W + 10);
    const top = cursor.y - 4;
    const image = images[i]!;
    const scale = Math.min(THUMB_W / image.width, THUMB_H / image.height);
    page.drawImage(image, {
      x,
      y: top - image.height * scale,
      width: image.width * scale,
      height: image.height * scale,
    });
    page.drawRectangle({
      x,
      y: top - THUMB_H,
      width: THUMB_W,
      height: THUMB_H,
      borderColor: rgb(0.7, 0.7, 0.7),
      borderWidth: 0.5,
    });
    const caption = [
      `${snap.kind === 'face' ? '面部 face' : '证件 ID'} · 录像偏移 offset +${snap.offsetMs} ms`,
      `sha256 ${snap.sha256.slice(0, 24)}…`,
      snap.chainIndex === null
        ? '录像链 chain: —'
        : `录像链 chain link #${snap.chainIndex} h=${(snap.chainHash ?? '').slice(0, 16)}…`,
    ];
    caption.forEach((text, line) => page.drawText(text, { x, y: top - THUMB_H - 10 - line * 9, size: 7, font }));
    column += 1;
    if (column === perRow || i === input.snapshots.length - 1) {
      cursor.skip(THUMB_H + 43);
      column = 0;
    }
  }

  if (input.faceChecks) ({ page, cursor } = drawFaceCheckSection(doc, font, { page, cursor }, input.faceChecks));

  if (cursor.y - SIGNATURE_AREA < MARGIN) {
    page = doc.addPage([...A4]);
    cursor = new TextCursor(page, font, A4[1] - MARGIN);
  }
  cursor.rule();
  cursor.line('签名 Signatures: 申请人 applicant → 帮办员 witness → 受理员 confirmation', 10);
  const pageNumber = doc.getPageCount();
  const [applicant, witness, confirmer] = signatureRow(pageNumber, 3);
  const pdf = await doc.save({ useObjectStreams: false });
  return { pdf, boxes: { applicant: applicant!, witness: witness!, confirmer: confirmer! } };
}

function embedImage(doc: PDFDocument, snap: IdentityDocumentSnapshot): Promise<PDFImage> {
  // pdf-lib's JPEG reader ignores a view's byteOffset (it reads `bytes.buffer` from 0): hand it a copy.
  const bytes = new Uint8Array(snap.bytes);
  return snap.mediaType === 'image/png' ? doc.embedPng(bytes) : doc.embedJpg(bytes);
}
