// Reading synthetic ID cards (server/test-support/id-card.ts) with the real tesseract: the fields
// come back as rendered, from the card image and from the card held up in a 640×480 camera frame
// that went through VP8 (as the recorder stores it); a bad check character, an expired card, a
// card not valid yet and a 长期 card are flagged as such.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  cardScene,
  fictionalPerson,
  idNumberFor,
  renderIdCard,
  type IdCardPerson,
} from '../../../test-support/id-card.js';
import type { BackFields, CardRead, FrontFields } from './id-card-fields.js';
import { readIdCard } from './read-id-card.js';
import { backChecks, frontChecks } from './id-checks.js';
import { tesseractVersion } from './tesseract.js';

const dir = mkdtempSync(join(tmpdir(), 'tongban-ocr-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The picture as a VP8 stream at a video-call bitrate, decoded back to a JPEG frame. */
function throughVp8(png: Buffer): Buffer {
  const input = join(dir, 'in.png');
  writeFileSync(input, png);
  const webm = join(dir, 'v.webm');
  const jpg = join(dir, 'frame.jpg');
  const quiet = ['-hide_banner', '-loglevel', 'error', '-y'];
  execFileSync(
    'ffmpeg',
    [...quiet, '-loop', '1', '-t', '2', '-framerate', '15', '-i', input, '-c:v', 'libvpx'].concat([
      '-b:v',
      '600k',
      '-pix_fmt',
      'yuv420p',
      webm,
    ]),
  );
  execFileSync('ffmpeg', [...quiet, '-sseof', '-0.3', '-i', webm, '-frames:v', '1', '-q:v', '3', jpg]);
  return readFileSync(jpg);
}

async function read(label: string, image: Buffer): Promise<CardRead> {
  const started = performance.now();
  const card = await readIdCard(image);
  const ms = Math.round(performance.now() - started);
  console.log(`OCR ${label}: side ${card.side}, ${ms} ms`);
  for (const [k, f] of Object.entries(card.fields)) console.log(`  ${k}: ${f.value} (confidence ${f.confidence})`);
  return card;
}

const person = (p: Partial<IdCardPerson>): IdCardPerson => ({ ...fictionalPerson, ...p });
const applicant = { name: fictionalPerson.name, idMatches: (id: string) => id === fictionalPerson.idNumber };

describe('reading a 第二代居民身份证 with tesseract chi_sim', () => {
  test('the engine', async () => {
    const version = await tesseractVersion();
    console.log('engine:', version);
    expect(version).toMatch(/^tesseract \d+\.\d+/);
  });

  test('front: every field read back as rendered, from the card and from a VP8 camera frame', async () => {
    const card = renderIdCard(fictionalPerson, 'front');
    for (const [label, image] of [
      ['front (card image 856×540)', card],
      ['front (640×480 VP8 camera frame)', throughVp8(cardScene(card, 640, 480, 600))],
    ] as const) {
      const r = await read(label, image);
      expect(r.side).toBe('front');
      const f = r.fields as FrontFields;
      expect(f.name?.value).toBe(fictionalPerson.name);
      expect(f.sex?.value).toBe('男');
      expect(f.ethnicity?.value).toBe('汉');
      expect(f.birth?.value).toBe(fictionalPerson.birth);
      expect(f.idNumber?.value).toBe(fictionalPerson.idNumber);
      expect(f.address?.value).toContain('新城大道北路318号');
      expect(frontChecks(f, applicant)).toMatchObject({
        checksum: 'pass',
        matchesApplicant: 'pass',
        nameMatches: 'pass',
        birthMatches: 'pass',
        sexMatches: 'pass',
      });
    }
  });

  test('back: authority and validity dates read back; valid today', async () => {
    const card = renderIdCard(fictionalPerson, 'back');
    const r = await read('back (640×480 VP8 camera frame)', throughVp8(cardScene(card, 640, 480, 600)));
    expect(r.side).toBe('back');
    const f = r.fields as BackFields;
    expect(f.validFrom?.value).toBe('2016-05-20');
    expect(f.validTo?.value).toBe('2036-05-20');
    expect(f.authority?.value).toMatch(/市公安局$/);
    expect(backChecks(f, '2026-11-30')).toMatchObject({ validity: 'pass', validityState: 'valid' });
  });

  test('a number with a wrong check character, another sex digit and birth date: flagged', async () => {
    // 330282198803151231 with its last digit changed: the check character no longer fits.
    const bad = `${fictionalPerson.idNumber.slice(0, 17)}5`;
    const r = await read('front with a bad check character', renderIdCard(person({ idNumber: bad }), 'front'));
    const f = r.fields as FrontFields;
    expect(f.idNumber?.value).toBe(bad);
    const checks = frontChecks(f, applicant);
    console.log('checks of the bad number:', checks);
    expect(checks.checksum).toBe('fail');
    expect(checks.matchesApplicant).toBe('fail');
    // A woman's card (sequence 124: even) whose printed birth date is not the number's.
    const other = person({ sex: '女', idNumber: idNumberFor('330282', '19880315', '124'), birth: '1988-03-16' });
    const o = await read('front of another person', renderIdCard(other, 'front'));
    const oc = frontChecks(o.fields as FrontFields, applicant);
    console.log('checks of a card whose printed birth date differs from its number:', oc);
    expect(oc).toMatchObject({ checksum: 'pass', matchesApplicant: 'fail', sexMatches: 'pass', birthMatches: 'fail' });
  });

  test('validity: expired, not yet valid and 长期 cards', async () => {
    const expired = await read(
      'back of an expired card',
      renderIdCard(person({ validFrom: '2006.01.10', validTo: '2026.01.10' }), 'back'),
    );
    expect(backChecks(expired.fields as BackFields, '2026-11-30')).toMatchObject({
      validity: 'fail',
      validityState: 'expired',
    });
    expect(backChecks(expired.fields as BackFields, '2005-06-01')).toMatchObject({ validityState: 'not_yet_valid' });
    const longTerm = await read(
      'back of a 长期 card',
      renderIdCard(person({ validFrom: '2010.07.01', validTo: '长期' }), 'back'),
    );
    expect((longTerm.fields as BackFields).validTo?.value).toBe('长期');
    expect(backChecks(longTerm.fields as BackFields, '2026-11-30')).toMatchObject({
      validity: 'pass',
      validityState: 'long_term',
    });
  });
});
