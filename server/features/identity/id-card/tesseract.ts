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

/**
 * Reads an image (JPEG/PNG bytes): ffmpeg scales it up 4× (at most 2400 px wide) to greyscale PNG,
 * tesseract reads it as one uniform block of text (`--psm 6`).
 */
export async function readText(image: Uint8Array, options: TesseractOptions = {}): Promise<OcrLine[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const dir = await mkdtemp(join(tmpdir(), 'tongban-ocr-'));
  try {
    const input = join(dir, 'in');
    const prepared = join(dir, 'prepared.png');
    await writeFile(input, image);
    await run(
      options.ffmpegBin ?? 'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', input, '-frames:v', '1'],
        ...['-vf', "scale='min(2400,iw*4)':-2:flags=lanczos,format=gray", prepared],
      ],
      timeoutMs,
    );
    const tsv = await run(
      options.tesseractBin ?? 'tesseract',
      [prepared, '-', '-l', options.lang ?? 'chi_sim', '--psm', '6', 'tsv'],
      timeoutMs,
    );
    return parseTsv(tsv);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
