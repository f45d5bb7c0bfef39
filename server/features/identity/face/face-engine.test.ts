// The face engine (@vladmandic/human on tfjs's wasm backend, models from node_modules) and the advice
// rules on images made from the faces that ship in human's npm package (see test-support/face-fixtures.ts
// for what they are): the same man on a fictional ID card and live → pass, another man or a woman →
// doubt, an image without a face → no_face; a head turn in a y4m video built from warped stills →
// liveness pass, the eyes painted shut and open again → blink pass, the still photo → doubt.
// Scores, model version and time per image are printed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testImage } from '../../../test-support/flow-fixtures.js';
import {
  closedEyesScene,
  faceScene,
  idCardScene,
  jpegOfY4mFrame,
  readY4m,
  y4mOf,
  type FaceCrop,
} from '../../../test-support/face-fixtures.js';
import { FaceEngine, type FaceReading } from './FaceEngine.js';
import { judgeLiveness, matchLabel, MATCH_THRESHOLD, TURN_THRESHOLD_DEG } from './judge.js';

const engine = new FaceEngine();
let dir: string;
const log = (...parts: unknown[]) => console.log('[face]', ...parts);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-face-'));
  const started = performance.now();
  const model = await engine.model();
  log(`model ${model.name}, loaded in ${Math.round(performance.now() - started)} ms`);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = async (name: string, file: string): Promise<FaceReading> => {
  const r = await engine.read(readFileSync(file));
  log(`${name}: face ${r.found} (${r.faces}), yaw ${((r.yaw * 180) / Math.PI).toFixed(1)}°, ${r.ms} ms`);
  return r;
};

async function compare(live: FaceCrop, portrait: FaceCrop) {
  const started = performance.now();
  const a = await read(`live ${live}`, faceScene(live, join(dir, `live-${live}.png`)));
  const b = await read(`ID card with ${portrait}`, idCardScene(portrait, join(dir, `card-${portrait}.png`)));
  const score = a.embedding && b.embedding ? await engine.similarity(a.embedding, b.embedding) : null;
  const label = matchLabel(a, b, score);
  const ms = Math.round(performance.now() - started);
  log(
    `match ${live} ↔ ID(${portrait}): similarity ${score?.toFixed(4)} (threshold ${MATCH_THRESHOLD}) → ${label}, ${ms} ms per comparison`,
  );
  return { score, label };
}

describe('face match advice', () => {
  test('the same man live and on the ID card: pass', async () => {
    const { score, label } = await compare('authorLarge', 'authorSecond');
    expect(score).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
    expect(label).toBe('pass');
  }, 120_000);

  test('another man against the ID card: doubt', async () => {
    const { score, label } = await compare('otherMan', 'authorSecond');
    expect(score).toBeLessThan(MATCH_THRESHOLD);
    expect(label).toBe('doubt');
  }, 120_000);

  test('the man live against a woman on the ID card: doubt', async () => {
    const { score, label } = await compare('authorLarge', 'woman');
    expect(score).toBeLessThan(MATCH_THRESHOLD);
    expect(label).toBe('doubt');
  }, 120_000);

  test('an image without a face: no_face, no score', async () => {
    const none = await engine.read(testImage('jpeg', '640x480'));
    const face = await read('live authorLarge', faceScene('authorLarge', join(dir, 'live.png')));
    log(`no-face image: faces ${none.faces}, ${none.ms} ms`);
    expect(none).toMatchObject({ found: false, faces: 0, embedding: null, eyeOpen: null });
    expect(matchLabel(face, none, null)).toBe('no_face');
  }, 120_000);

  test('an undecodable image is an error, not a reading', async () => {
    await expect(engine.read(new TextEncoder().encode('not an image'))).rejects.toThrow(/could not be decoded/);
  }, 60_000);
});

describe('liveness advice on frames of a y4m video', () => {
  // The service samples a frame every 500 ms of a looping camera; at 15 fps that is every 7.5 frames.
  const sample = async (y4m: string, name: string) => {
    const readings: FaceReading[] = [];
    const count = readY4m(y4m).frames.length;
    for (const [i, at] of [0, 7, 15, 22, 30, 37].entries()) {
      const frame = at % count;
      readings.push(await read(`${name} frame ${frame}`, writeJpeg(y4m, frame, join(dir, `${name}-${i}.jpg`))));
    }
    return readings;
  };
  const writeJpeg = (y4m: string, frame: number, out: string) => (jpegOfY4mFrame(y4m, frame, out), out);

  test('a head turned left and right: pass; the still photo: doubt', async () => {
    const left = faceScene('authorLarge', join(dir, 'left.png'), -1);
    const centre = faceScene('authorLarge', join(dir, 'centre.png'));
    const right = faceScene('authorLarge', join(dir, 'right.png'), 1);
    const turning = y4mOf([left, centre, right, centre], join(dir, 'turn.y4m'), 5);
    const still = y4mOf([centre], join(dir, 'still.y4m'), 40);

    const turned = judgeLiveness('turn_head', await sample(turning, 'turn'));
    log(
      `turn_head on the head-turn video: yaw range ${turned.measured}° (threshold ${TURN_THRESHOLD_DEG}°) → ${turned.label}`,
    );
    expect(turned.label).toBe('pass');
    expect(turned.measured).toBeGreaterThanOrEqual(TURN_THRESHOLD_DEG);

    const stillReadings = await sample(still, 'still');
    const stillTurn = judgeLiveness('turn_head', stillReadings);
    const stillBlink = judgeLiveness('blink', stillReadings);
    log(`turn_head on the still photo: yaw range ${stillTurn.measured}° → ${stillTurn.label}`);
    log(
      `blink on the still photo: eye-opening range ${stillBlink.measured} (threshold ${stillBlink.threshold}) → ${stillBlink.label}`,
    );
    expect(stillTurn.label).toBe('doubt');
    expect(stillBlink.label).toBe('doubt');
  }, 300_000);

  test('eyes shut and open again: blink pass', async () => {
    const open = faceScene('authorLarge', join(dir, 'open.png'));
    const blinking = y4mOf([open, closedEyesScene(join(dir, 'shut.png'))], join(dir, 'blink.y4m'), 4);
    const blinked = judgeLiveness('blink', await sample(blinking, 'blink'));
    log(
      `blink on the blinking video: eye-opening range ${blinked.measured} (threshold ${blinked.threshold}) → ${blinked.label}`,
    );
    expect(blinked.label).toBe('pass');
  }, 300_000);

  test('frames without a face: no_face', () => {
    const none: FaceReading = {
      found: false,
      confidence: 0,
      yaw: 0,
      pitch: 0,
      eyeOpen: null,
      embedding: null,
      faces: 0,
      ms: 0,
    };
    expect(judgeLiveness('turn_head', [none, none, none, none])).toMatchObject({ label: 'no_face', measured: null });
  });
});
