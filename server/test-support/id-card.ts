// Synthetic 第二代居民身份证 images for the ID-reading tests (issue 15 §6): a fictional person, a
// number with a valid GB 11643 check character, Noto Sans CJK SC (fonts-noto-cjk), laid out like the
// real card (front: 姓名 性别 民族 出生 住址 公民身份号码 and a portrait; back: 中华人民共和国 居民身份证,
// 签发机关, 有效期限). Drawn by ffmpeg's drawtext/drawbox; each text goes through a file so nothing
// needs filter escaping. Also a scene (the card held up in front of a camera) and a Y4M clip of it
// for Chromium's fake camera.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idCheckCharacter } from '../features/identity/index.js';

export interface IdCardPerson {
  readonly name: string;
  readonly sex: '男' | '女';
  readonly ethnicity: string;
  /** YYYY-MM-DD */
  readonly birth: string;
  /** The address as printed, one entry a line. */
  readonly address: readonly string[];
  readonly idNumber: string;
  readonly authority: string;
  /** YYYY.MM.DD */
  readonly validFrom: string;
  /** YYYY.MM.DD or 长期 */
  readonly validTo: string;
}

/** An ID number with the right check character for region, birth date (YYYYMMDD) and sequence. */
export function idNumberFor(region: string, birth: string, sequence: string): string {
  const first17 = `${region}${birth}${sequence}`;
  return `${first17}${idCheckCharacter(first17)}`;
}

/** A fictional applicant of 慈溪 (region 330282); the number's sequence 123 is odd: 男. */
export const fictionalPerson: IdCardPerson = {
  name: '张明远',
  sex: '男',
  ethnicity: '汉',
  birth: '1988-03-15',
  address: ['浙江省慈溪市白沙路街道', '新城大道北路318号'],
  idNumber: idNumberFor('330282', '19880315', '123'),
  authority: '慈溪市公安局',
  validFrom: '2016.05.20',
  validTo: '2036.05.20',
};

const CARD = { w: 856, h: 540 } as const;
const LABEL = '0x3a6ea5';
const INK = '0x111111';

interface Text {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly color?: string;
}

function frontTexts(p: IdCardPerson): Text[] {
  const [year, month, day] = p.birth.split('-').map(Number) as [number, number, number];
  return [
    { text: '姓 名', x: 50, y: 52, size: 24, color: LABEL },
    { text: p.name, x: 150, y: 46, size: 34 },
    { text: '性 别', x: 50, y: 122, size: 24, color: LABEL },
    { text: p.sex, x: 150, y: 118, size: 30 },
    { text: '民 族', x: 260, y: 122, size: 24, color: LABEL },
    { text: p.ethnicity, x: 350, y: 118, size: 30 },
    { text: '出 生', x: 50, y: 192, size: 24, color: LABEL },
    { text: `${year}  年  ${month}  月  ${day}  日`, x: 150, y: 188, size: 30 },
    { text: '住 址', x: 50, y: 262, size: 24, color: LABEL },
    ...p.address.map((line, i) => ({ text: line, x: 150, y: 258 + i * 46, size: 30 })),
    { text: '公民身份号码', x: 50, y: 452, size: 24, color: LABEL },
    { text: p.idNumber, x: 250, y: 446, size: 36 },
  ];
}

function backTexts(p: IdCardPerson): Text[] {
  return [
    { text: '中华人民共和国', x: 250, y: 70, size: 52 },
    { text: '居民身份证', x: 300, y: 160, size: 62 },
    { text: '签发机关', x: 130, y: 382, size: 24, color: LABEL },
    { text: p.authority, x: 270, y: 376, size: 30 },
    { text: '有效期限', x: 130, y: 452, size: 24, color: LABEL },
    { text: `${p.validFrom}-${p.validTo}`, x: 270, y: 446, size: 30 },
  ];
}

/** A PNG of one side of the card, 856×540 (10 px per mm of the real 85.6 × 54 mm card). */
export function renderIdCard(person: IdCardPerson, side: 'front' | 'back'): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-idcard-'));
  try {
    const texts = side === 'front' ? frontTexts(person) : backTexts(person);
    const shapes =
      side === 'front'
        ? // The portrait: a grey head-and-shoulders silhouette on a pale field.
          [
            'drawbox=x=580:y=60:w=230:h=290:color=0xdde3e8:t=fill',
            'drawbox=x=650:y=110:w=90:h=110:color=0x9aa3ab:t=fill',
            'drawbox=x=610:y=230:w=170:h=120:color=0x9aa3ab:t=fill',
          ]
        : // The national emblem's place: a red square.
          ['drawbox=x=60:y=40:w=120:h=120:color=0xc8302c:t=fill'];
    const filters = [
      ...shapes,
      ...texts.map((t, i) => {
        const file = join(dir, `t${i}.txt`);
        writeFileSync(file, t.text);
        return `drawtext=font='Noto Sans CJK SC':textfile=${file}:x=${t.x}:y=${t.y}:fontsize=${t.size}:fontcolor=${t.color ?? INK}`;
      }),
    ];
    const out = join(dir, 'card.png');
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=0xf2f0e6:s=${CARD.w}x${CARD.h}:d=1`],
      ...['-vf', filters.join(','), '-frames:v', '1', out],
    ]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The card held up in front of the camera: the card image scaled to `cardWidth` and centred on a
 * darker background of `width`×`height`, written as a PNG.
 */
export function cardScene(card: Buffer, width: number, height: number, cardWidth: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-idscene-'));
  try {
    writeFileSync(join(dir, 'card.png'), card);
    const out = join(dir, 'scene.png');
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=0x55606a:s=${width}x${height}:d=1`],
      ...['-i', join(dir, 'card.png'), '-filter_complex'],
      `[1:v]scale=${cardWidth}:-2:flags=lanczos[c];[0:v][c]overlay=(W-w)/2:(H-h)/2`,
      ...['-frames:v', '1', out],
    ]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Raw I420 bytes of a PNG at its own size (for a synthetic WebRTC video source). */
export function i420Of(png: Buffer): Buffer {
  return execFileSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-i', '-', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'],
    {
      input: png,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
}

/** A Y4M clip of still images, `secondsEach` per image, at `fps` (Chromium's --use-file-for-fake-video-capture). */
export function y4mOf(pngs: readonly Buffer[], outFile: string, secondsEach: number, fps = 15): void {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-y4m-'));
  try {
    const inputs = pngs.flatMap((png, i) => {
      const file = join(dir, `${i}.png`);
      writeFileSync(file, png);
      return ['-loop', '1', '-t', String(secondsEach), '-framerate', String(fps), '-i', file];
    });
    const concat = `${pngs.map((_, i) => `[${i}:v]`).join('')}concat=n=${pngs.length}:v=1:a=0,format=yuv420p`;
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y', ...inputs, '-filter_complex', concat],
      ...['-r', String(fps), '-f', 'yuv4mpegpipe', outFile],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How many characters (code points) must be inserted, removed or replaced to turn `read` into `expected`. */
export function charactersOff(read: string, expected: string): number {
  const b = [...expected];
  let previous = [...b.keys(), b.length]; // distances from the empty prefix of `read`
  for (const [i, ch] of [...read].entries()) {
    const row = [i + 1];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (ch === b[j - 1] ? 0 : 1)));
    }
    previous = row;
  }
  return previous[b.length]!;
}
