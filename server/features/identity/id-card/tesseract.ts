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
  readonly lang?: string;
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

/** A word that holds most of an 18-character ID number (read by the Chinese model, digits weakest). */
const LONG_DIGITS = /\d{12,}/;

/**
 * Reads an image (JPEG/PNG bytes): ffmpeg scales it up 4× (at most 2400 px wide) to greyscale PNG,
 * tesseract reads it as one uniform block of text (`--psm 6`). A long run of digits (the ID number)
 * is then read again from its box alone by the English model restricted to digits and X
 * (`--psm 7`, one line), which reads digits far more surely; the second reading replaces the first
 * when it is 18 characters.
 */
export async function readText(image: Uint8Array, options: TesseractOptions = {}): Promise<OcrLine[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ffmpeg = options.ffmpegBin ?? 'ffmpeg';
  const tesseract = options.tesseractBin ?? 'tesseract';
  const quiet = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
  const dir = await mkdtemp(join(tmpdir(), 'tongban-ocr-'));
  try {
    const input = join(dir, 'in');
    const prepared = join(dir, 'prepared.png');
    await writeFile(input, image);
    const scale = "scale='min(2400,iw*4)':-2:flags=lanczos,format=gray";
    await run(ffmpeg, [...quiet, '-i', input, '-frames:v', '1', '-vf', scale, prepared], timeoutMs);
    const tsv = await run(tesseract, [prepared, '-', '-l', options.lang ?? 'chi_sim', '--psm', '6', 'tsv'], timeoutMs);
    const lines = parseTsv(tsv);
    const at = lines.findIndex((l) => l.some((w) => LONG_DIGITS.test(w.text)));
    if (at < 0) return lines;
    const word = lines[at]!.find((w) => LONG_DIGITS.test(w.text))!;
    const pad = Math.round(word.height * 0.4);
    const box = `${word.width + 2 * pad}:${word.height + 2 * pad}:${Math.max(0, word.left - pad)}:${Math.max(0, word.top - pad)}`;
    const crop = join(dir, 'number.png');
    await run(ffmpeg, [...quiet, '-i', prepared, '-vf', `crop=${box}`, crop], timeoutMs);
    const digits = parseTsv(
      await run(
        tesseract,
        [crop, '-', '-l', 'eng', '--psm', '7', '-c', 'tessedit_char_whitelist=0123456789X', 'tsv'],
        timeoutMs,
      ),
    ).flat();
    const text = digits.map((w) => w.text).join('');
    if (!/^\d{17}[\dX]$/.test(text)) return lines;
    const conf = digits.reduce((sum, w) => sum + w.conf, 0) / digits.length;
    const reread: OcrWord = { ...word, text, conf };
    return lines.map((l, i) => (i === at ? l.map((w) => (w === word ? reread : w)) : l));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
