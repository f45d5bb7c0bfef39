// Debian's tesseract CLI (tesseract-ocr + tesseract-ocr-chi-sim, installed by scripts/setup-system.sh):
// called with execFile (no shell) under a time bound, reading words with their boxes and confidences
// from its TSV output. Images are prepared first by ffmpeg (scaled up, greyscale): video frames of a
// card are small, and the LSTM model reads 4× upscaled Chinese text far better.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OcrWord {
  readonly text: string;
  /** 0..100 as tesseract reports it. */
  readonly conf: number;
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** One text line: its words left to right. */
export type OcrLine = readonly OcrWord[];

export interface TesseractOptions {
  readonly tesseractBin?: string;
  readonly ffmpegBin?: string;
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function run(bin: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(bin, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${bin} failed: ${String(stderr).trim() || err.message}`)) : resolve(String(stdout)),
    ),
  );
}

/** `tesseract 5.3.0 (leptonica-1.82.0)`: what read the card, for the record. */
export async function tesseractVersion(options: TesseractOptions = {}): Promise<string> {
  const out = await run(options.tesseractBin ?? 'tesseract', ['--version'], options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const lines = out.split('\n').map((l) => l.trim());
  const leptonica = lines.find((l) => l.startsWith('leptonica'));
  return `${lines[0] ?? 'tesseract'}${leptonica ? ` (${leptonica})` : ''}`;
}

/** Parses tesseract's TSV into lines of words (empty words and non-word rows dropped). */
export function parseTsv(tsv: string): OcrLine[] {
  const lines = new Map<string, OcrWord[]>();
  for (const row of tsv.split('\n').slice(1)) {
    const c = row.split('\t');
    if (c.length < 12 || c[0] !== '5') continue;
    const text = c.slice(11).join('\t').trim();
    if (!text) continue;
    const key = `${c[2]}.${c[3]}.${c[4]}`;
    const word: OcrWord = {
      text,
      conf: Number(c[10]),
      left: Number(c[6]),
      top: Number(c[7]),
      width: Number(c[8]),
      height: Number(c[9]),
    };
    lines.set(key, [...(lines.get(key) ?? []), word]);
  }
  return [...lines.values()].map((words) => words.sort((a, b) => a.left - b.left));
}

/** A prepared image in a temporary folder, read whole and word by word. */
export interface PreparedImage {
  /** Tesseract's lines of the whole image (`--psm 6`, one uniform block). */
  lines(lang: string): Promise<OcrLine[]>;
  /**
   * The word's box alone read again, restricted to `whitelist` (`--psm 7` a line, `--psm 10` a
   * character): the word with the new text and confidence, or undefined when nothing was read.
   */
  reread(word: OcrWord, lang: string, whitelist: string, psm: 7 | 10): Promise<OcrWord | undefined>;
}

/**
 * Runs `use` on the image prepared by ffmpeg: scaled up 4× (at most 2400 px wide), greyscale PNG.
 * Video frames of a card are small; the LSTM models read upscaled text far better.
 */
export async function withPreparedImage<T>(
  image: Uint8Array,
  options: TesseractOptions,
  use: (prepared: PreparedImage) => Promise<T>,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ffmpeg = options.ffmpegBin ?? 'ffmpeg';
  const tesseract = options.tesseractBin ?? 'tesseract';
  const quiet = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
  const dir = await mkdtemp(join(tmpdir(), 'tongban-ocr-'));
  try {
    const input = join(dir, 'in');
    const file = join(dir, 'prepared.png');
    await writeFile(input, image);
    const scale = "scale='min(2400,iw*4)':-2:flags=lanczos,format=gray";
    await run(ffmpeg, [...quiet, '-i', input, '-frames:v', '1', '-vf', scale, file], timeoutMs);
    let crops = 0;
    return await use({
      lines: async (lang) => parseTsv(await run(tesseract, [file, '-', '-l', lang, '--psm', '6', 'tsv'], timeoutMs)),
      reread: async (word, lang, whitelist, psm) => {
        const pad = Math.round(word.height * 0.4);
        const box = [word.width + 2 * pad, word.height + 2 * pad, word.left - pad, word.top - pad].map((n) =>
          Math.max(0, n),
        );
        const crop = join(dir, `crop-${(crops += 1)}.png`);
        await run(ffmpeg, [...quiet, '-i', file, '-vf', `crop=${box.join(':')}`, crop], timeoutMs);
        const args = [crop, '-', '-l', lang, '--psm', String(psm), '-c', `tessedit_char_whitelist=${whitelist}`, 'tsv'];
        const words = parseTsv(await run(tesseract, args, timeoutMs)).flat();
        if (words.length === 0) return undefined;
        const conf = words.reduce((sum, w) => sum + w.conf, 0) / words.length;
        return { ...word, text: words.map((w) => w.text).join(''), conf };
      },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
