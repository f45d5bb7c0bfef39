// The fields of a 第二代居民身份证 found in OCR lines. The card's layout is fixed, so lines are found
// by what they hold (the 18-character number, the birth date's 年月日, the validity's date range) and
// their neighbours by position (sex above birth, name above sex, address between birth and number).
// Labels are stripped by their known text, which the reader often gets half right (洗名 for 姓名).
import type { OcrLine, OcrWord } from './tesseract.js';

export interface ReadField {
  readonly value: string;
  /** Mean tesseract confidence (0..100) of the words the value was read from. */
  readonly confidence: number;
}

export interface FrontFields {
  readonly name?: ReadField;
  readonly sex?: ReadField;
  readonly ethnicity?: ReadField;
  /** YYYY-MM-DD */
  readonly birth?: ReadField;
  readonly address?: ReadField;
  readonly idNumber?: ReadField;
}

export interface BackFields {
  readonly authority?: ReadField;
  /** YYYY-MM-DD */
  readonly validFrom?: ReadField;
  /** YYYY-MM-DD or 长期 */
  readonly validTo?: ReadField;
}

export type CardRead =
  | { readonly side: 'front'; readonly fields: FrontFields }
  | { readonly side: 'back'; readonly fields: BackFields }
  | { readonly side: 'unknown'; readonly fields: Record<string, never> };

/** Quotes, brackets and strokes the reader sees in label–value gaps and card edges. */
const NOISE = /[\s"'“”‘’《》〈〉「」『』|｜[\]{}()（）。，,:：;；_]/g;

const textOf = (words: readonly OcrWord[]) => words.map((w) => w.text).join('');
const clean = (s: string) => s.replace(NOISE, '');

function field(words: readonly OcrWord[], value: string): ReadField | undefined {
  if (!value || words.length === 0) return undefined;
  const confidence = words.reduce((sum, w) => sum + Math.max(0, w.conf), 0) / words.length;
  return { value, confidence: Math.round(confidence * 10) / 10 };
}

/** The line without words that are only noise marks. */
export function meaningful(line: OcrLine): OcrWord[] {
  return line.filter((w) => clean(w.text).length > 0).map((w) => ({ ...w, text: clean(w.text) }));
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * The words after the line's label: the leading words that spell as many characters as the label
 * with one of them right (洗名 for 姓名); else leading words while they fit its length and share a
 * character with it, or when the first word stands apart (a misread label).
 */
export function afterLabel(words: readonly OcrWord[], label: string): OcrWord[] {
  let chars = '';
  for (const [k, w] of words.entries()) {
    chars += w.text;
    if (chars.length > label.length) break;
    const oneRight = [...chars].some((ch, i) => label[i] === ch || label[label.length - chars.length + i] === ch);
    if (chars.length === label.length && oneRight && k < words.length - 1) return words.slice(k + 1);
  }
  const height = median(words.map((w) => w.height));
  let used = 0;
  let i = 0;
  while (i < words.length - 1) {
    const w = words[i]!;
    const sharesLabel = [...w.text].some((ch) => label.includes(ch));
    const next = words[i + 1]!;
    const standsApart = i === 0 && next.left - (w.left + w.width) > 0.8 * height && w.text.length <= label.length;
    if (used + w.text.length > label.length || !(sharesLabel || standsApart)) break;
    used += w.text.length;
    i += 1;
  }
  return words.slice(i);
}

/** Cuts the words at the first wide gap (the portrait's shapes read as characters far to the right). */
function untilGap(words: readonly OcrWord[]): OcrWord[] {
  const height = median(words.map((w) => w.height));
  const kept: OcrWord[] = [];
  for (const w of words) {
    const prev = kept[kept.length - 1];
    if (prev && w.left - (prev.left + prev.width) > 2.5 * height) break;
    kept.push(w);
  }
  return kept;
}

const NUMBER = /\d{17}[\dXx]|\d{15,18}[Xx]?/;
const BIRTH = /(\d{4})\D{0,2}年\D{0,2}(\d{1,2})\D{0,2}月\D{0,2}(\d{1,2})/;

/** Whether the line holds the birth date (年 月 with their numbers). */
export const isBirthLine = (line: readonly OcrWord[]) => BIRTH.test(textOf(line));
const DATE = String.raw`(\d{4})[.·,]?(\d{2})[.·,]?(\d{2})`;
const VALIDITY = new RegExp(`${DATE}[-—–~至]+(长期|${DATE})`);
const pad = (n: string) => n.padStart(2, '0');

function readFront(lines: readonly OcrWord[][], numberAt: number, birthAt: number): FrontFields {
  const out: { -readonly [K in keyof FrontFields]: FrontFields[K] } = {};
  if (numberAt >= 0) {
    const words = lines[numberAt]!.filter((w) => /\d/.test(w.text));
    const digits = textOf(words).match(NUMBER)?.[0]?.toUpperCase();
    if (digits) out.idNumber = field(words, digits);
  }
  if (birthAt >= 0) {
    const birthLine = lines[birthAt]!;
    const m = BIRTH.exec(textOf(birthLine));
    if (m) out.birth = field(afterLabel(birthLine, '出生'), `${m[1]}-${pad(m[2]!)}-${pad(m[3]!)}`);
    const sexLine = lines[birthAt - 1];
    if (sexLine) {
      const value = afterLabel(sexLine, '性别');
      const sexWord = value.find((w) => /[男女]/.test(w.text));
      if (sexWord) out.sex = field([sexWord], sexWord.text.match(/[男女]/)![0]);
      const labelAt = value.findIndex((w) => /民|族/.test(w.text));
      const rest = labelAt >= 0 ? value.slice(labelAt) : sexWord ? value.slice(value.indexOf(sexWord) + 1) : [];
      const ethnicity = afterLabel(rest, '民族');
      out.ethnicity = field(ethnicity, textOf(ethnicity));
    }
    const nameLine = lines[birthAt - 2];
    if (nameLine) {
      const name = untilGap(afterLabel(nameLine, '姓名'));
      out.name = field(name, textOf(name));
    }
    const end = numberAt > birthAt ? numberAt : lines.length;
    const addressLines = lines.slice(birthAt + 1, end).map((l, i) => untilGap(i === 0 ? afterLabel(l, '住址') : l));
    const address = addressLines.flat();
    out.address = field(address, textOf(address));
  }
  return out;
}

function readBack(lines: readonly OcrWord[][], validityAt: number): BackFields {
  const out: { -readonly [K in keyof BackFields]: BackFields[K] } = {};
  if (validityAt >= 0) {
    const words = afterLabel(lines[validityAt]!, '有效期限');
    const m = VALIDITY.exec(textOf(words));
    if (m) {
      out.validFrom = field(words, `${m[1]}-${m[2]}-${m[3]}`);
      out.validTo = field(words, m[4] === '长期' ? '长期' : `${m[5]}-${m[6]}-${m[7]}`);
    }
  }
  const authorityAt = lines.findIndex((l) => /签发|机关/.test(textOf(l)));
  const authorityLine = lines[authorityAt >= 0 ? authorityAt : validityAt - 1];
  if (authorityLine) {
    const words = untilGap(afterLabel(authorityLine, '签发机关'));
    out.authority = field(words, textOf(words));
  }
  return out;
}

/** Which side the lines show and the fields read from it. */
export function readCardFields(ocr: readonly OcrLine[]): CardRead {
  const lines = ocr.map(meaningful).filter((l) => l.length > 0);
  const numberAt = lines.findIndex((l) => NUMBER.test(textOf(l)));
  const birthAt = lines.findIndex(isBirthLine);
  if (numberAt >= 0 || birthAt >= 0) return { side: 'front', fields: readFront(lines, numberAt, birthAt) };
  const validityAt = lines.findIndex((l) => VALIDITY.test(textOf(l)));
  if (validityAt >= 0 || lines.some((l) => /签发机关|有效期限|居民身份证/.test(textOf(l))))
    return { side: 'back', fields: readBack(lines, validityAt) };
  return { side: 'unknown', fields: {} };
}
