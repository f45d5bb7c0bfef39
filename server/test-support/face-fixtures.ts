// Test images for the face match and liveness advice (issue 15 §3), made at test time by ffmpeg.
// The faces are crops of one picture that ships in the @vladmandic/human npm package
// (assets/screenshot-facematch.jpg, under the package's MIT licence): the library author's face-match
// demo, showing the same man (the author) in several photos, other people, and a rendered female
// face. They are real photographs of people: nothing of them is committed to this repository; the
// crops are cut from node_modules into a temporary folder by each test run.
// From them: whole 640×480 scenes (a face in front of a wall; a fictional ID card whose portrait is
// one of the crops), a head turn (the face bent left and right, see faceScene) and y4m
// videos of such scenes for the synthetic camera of a test participant.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const SCENE = { width: 640, height: 480 } as const;
const CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

/** Crop rectangles (w:h:x:y) in the 1920×954 screenshot. */
const CROPS = {
  /** The author, "Selected Face" panel, large. */
  authorLarge: '170:180:0:15',
  /** The author again, another photo (first row, second cell). */
  authorSecond: '104:104:108:279',
  /** Two other men (second row). */
  otherMan: '104:104:1194:387',
  secondOtherMan: '104:104:858:387',
  /** A rendered woman's face (sample images row). */
  woman: '104:115:284:20',
} as const;
export type FaceCrop = keyof typeof CROPS;

export function humanAsset(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/human')), '..', 'assets', 'screenshot-facematch.jpg');
}

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${String(r.stderr)}`);
}

/** A face crop as PNG at `file`. */
export function cropFace(crop: FaceCrop, file: string): string {
  ffmpeg(['-i', humanAsset(), '-vf', `crop=${CROPS[crop]}`, file]);
  return file;
}

/**
 * A 640×480 scene: the face in front of a plain wall. `turn` (−1..1) bends the picture horizontally
 * (each column x taken from W·(x/W)^γ) so that nose, eyes and mouth move towards one side of the head
 * outline, as they do when a head turns: the face mesh then reads a yaw of about ±25° at ±1. A
 * rendering trick on one photo, not a real head turn.
 */
export function faceScene(crop: FaceCrop, file: string, turn = 0): string {
  const gamma = turn >= 0 ? 1 / (1 + 1.9 * turn) : 1 + 1.2 * -turn;
  const x = `W*pow(X/W\\,${gamma.toFixed(3)})`;
  const bend = turn === 0 ? '' : `,format=rgb24,geq=r='r(${x},Y)':g='g(${x},Y)':b='b(${x},Y)'`;
  return scene(`[1]crop=${CROPS[crop]},scale=340:380${bend}[f];[0][f]overlay=150:50`, file);
}

/**
 * The author's face (authorLarge, facing the camera) with the eyes painted shut: skin-coloured lids
 * with a dark lash line where his eyes are in faceScene's picture. Alternated with the open face it
 * makes a blink the face mesh sees (eye opening about 0.36 open, 0.14 shut).
 */
export function closedEyesScene(file: string): string {
  const lid = (x: number, y: number) =>
    `drawbox=x=${x}:y=${y}:w=54:h=22:color=0xa87a62:t=fill,drawbox=x=${x + 4}:y=${y + 12}:w=46:h=2:color=0x3a2418:t=fill`;
  return scene(
    `[1]crop=${CROPS.authorLarge},scale=340:380[f];[0][f]overlay=150:50,${lid(240, 211)},${lid(386, 209)}`,
    file,
  );
}

function scene(filter: string, file: string): string {
  ffmpeg([
    ...['-f', 'lavfi', '-i', `color=c=0x8a8f96:s=${SCENE.width}x${SCENE.height}`, '-i', humanAsset()],
    ...['-filter_complex', filter, '-frames:v', '1', file],
  ]);
  return file;
}

/** A fictional ID card (no real name or number) held up to the camera, with the crop as its portrait. */
export function idCardScene(crop: FaceCrop, file: string): string {
  const text = (s: string, x: number, y: number, size = 20) =>
    `drawtext=fontfile=${CJK_FONT}:text='${s}':x=${x}:y=${y}:fontsize=${size}:fontcolor=0x222222`;
  ffmpeg([
    ...['-f', 'lavfi', '-i', `color=c=0x3a3f46:s=${SCENE.width}x${SCENE.height}`, '-i', humanAsset()],
    '-filter_complex',
    [
      `[0]drawbox=x=40:y=70:w=560:h=340:color=0xe4ecf4:t=fill`,
      text('姓名  测试人', 70, 110),
      text('性别  男   民族  汉', 70, 150),
      text('出生  1990 年 1 月 1 日', 70, 190),
      text('住址  某省某市测试路 1 号', 70, 230),
      text('公民身份号码  000000199001010000', 70, 360, 18),
      `null[card];[1]crop=${CROPS[crop]},scale=180:200[p];[card][p]overlay=390:110`,
    ].join(','),
    ...['-frames:v', '1', file],
  ]);
  return file;
}

/** A y4m video (I420, 15 fps) showing each PNG for `holdFrames` frames, in order. */
export function y4mOf(pngs: readonly string[], file: string, holdFrames = 4): string {
  const inputs = pngs.flatMap((p) => ['-loop', '1', '-framerate', '15', '-t', String(holdFrames / 15), '-i', p]);
  const concat = `${pngs.map((_, i) => `[${i}]`).join('')}concat=n=${pngs.length}:v=1:a=0,format=yuv420p[v]`;
  ffmpeg([...inputs, '-filter_complex', concat, '-map', '[v]', '-r', '15', '-f', 'yuv4mpegpipe', file]);
  return file;
}

/** The I420 frames of a y4m file (what a synthetic camera sends). */
export function readY4m(file: string): { width: number; height: number; frames: Uint8Array[] } {
  const data = readFileSync(file);
  const headerEnd = data.indexOf(0x0a);
  const header = data.subarray(0, headerEnd).toString('latin1');
  const width = Number(/ W(\d+)/.exec(header)?.[1]);
  const height = Number(/ H(\d+)/.exec(header)?.[1]);
  const size = (width * height * 3) / 2;
  const frames: Uint8Array[] = [];
  let at = headerEnd + 1;
  while (at < data.length) {
    const lineEnd = data.indexOf(0x0a, at);
    if (lineEnd < 0 || !data.subarray(at, lineEnd).toString('latin1').startsWith('FRAME')) break;
    frames.push(new Uint8Array(data.subarray(lineEnd + 1, lineEnd + 1 + size)));
    at = lineEnd + 1 + size;
  }
  return { width, height, frames };
}

/** One frame of a y4m video as a JPEG (what a snapshot of the recording would be). */
export function jpegOfY4mFrame(file: string, index: number, out: string): Buffer {
  ffmpeg(['-i', file, '-vf', `select=eq(n\\,${index})`, '-frames:v', '1', out]);
  return readFileSync(out);
}

/**
 * A rendered ID card (test-support/id-card.ts, 856×540) with the crop as its portrait, in place of the
 * grey silhouette: a card both the OCR and the face match can read. PNG in, PNG out.
 */
export function withPortrait(card: Buffer, crop: FaceCrop, dir: string): Buffer {
  const cardFile = join(dir, 'portrait-card-in.png');
  const out = join(dir, 'portrait-card.png');
  writeFileSync(cardFile, card);
  ffmpeg([
    ...['-i', cardFile, '-i', humanAsset(), '-filter_complex'],
    `[1]crop=${CROPS[crop]},scale=230:290[p];[0][p]overlay=580:60`,
    ...['-frames:v', '1', out],
  ]);
  return readFileSync(out);
}
