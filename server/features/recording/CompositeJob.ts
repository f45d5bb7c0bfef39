// Background rendering for easy playback (not evidence): each participant's segments are joined
// without re-encoding into derived/<participant>.webm, then one MP4 shows everyone in a grid with
// the audio mixed, each participant shifted to when they started. Emits 'progress' in 0..1.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { safeName } from './files.js';
import type { SegmentRow } from './RecordingStore.js';

export interface CompositeResult {
  readonly composite: string | null;
  /** participant id → the joined WebM of that participant */
  readonly participants: Readonly<Record<string, string>>;
}

/** Where each participant's video sits in the composite (for redacting a participant's tile). */
export interface CompositeLayout {
  readonly tile: { readonly width: number; readonly height: number };
  readonly tiles: readonly { readonly participant: string; readonly x: number; readonly y: number }[];
}

export interface CompositeJobOptions {
  readonly dir: string;
  readonly segments: readonly SegmentRow[];
  readonly ffmpegBin?: string;
  readonly ffprobeBin?: string;
  readonly tile?: { readonly width: number; readonly height: number };
}

export class CompositeJob extends EventEmitter<{ progress: [number] }> {
  readonly result: Promise<CompositeResult>;
  readonly #children = new Set<ChildProcess>();
  #cancelled = false;

  private constructor(o: CompositeJobOptions) {
    super();
    this.result = this.#render(o);
    this.result.catch(() => undefined);
  }

  static start(options: CompositeJobOptions): CompositeJob {
    return new CompositeJob(options);
  }

  /** Stops the render (server shutdown); `result` then rejects. */
  cancel(): void {
    this.#cancelled = true;
    for (const c of this.#children) c.kill('SIGKILL');
  }

  /**
   * ffmpeg's concat demuxer takes its streams from the first file, so segments with different
   * tracks cannot be joined: e.g. a run that started on the microphone alone, restarted when the
   * camera arrived, would hide the video of the whole session. Playback joins the consecutive
   * segments that hold the most tracks (ties: the longest stretch); every segment stays in the
   * sealed recording and the evidence package whatever this picks.
   */
  async #richestRun(o: CompositeJobOptions, segs: readonly SegmentRow[]): Promise<SegmentRow[]> {
    const ffprobe = o.ffprobeBin ?? 'ffprobe';
    const kinds = await Promise.all(
      segs.map(async (s) => [...(await streamKinds(ffprobe, join(o.dir, s.file)))].sort().join('+')),
    );
    const stretches: { kinds: string; segs: SegmentRow[] }[] = [];
    segs.forEach((seg, i) => {
      const last = stretches.at(-1);
      if (last && last.kinds === kinds[i]) last.segs.push(seg);
      else stretches.push({ kinds: kinds[i]!, segs: [seg] });
    });
    const weight = (r: { kinds: string; segs: SegmentRow[] }) =>
      [r.kinds ? r.kinds.split('+').length : 0, r.segs.reduce((t, x) => t + x.endMs - x.startMs, 0)] as const;
    stretches.sort((x, y) => weight(y)[0] - weight(x)[0] || weight(y)[1] - weight(x)[1]);
    return stretches[0]?.segs ?? [];
  }

  async #render(o: CompositeJobOptions): Promise<CompositeResult> {
    const ffmpeg = o.ffmpegBin ?? 'ffmpeg';
    const out = join(o.dir, 'derived');
    mkdirSync(out, { recursive: true });
    const byParticipant = new Map<string, SegmentRow[]>();
    for (const s of o.segments) byParticipant.set(s.participant, [...(byParticipant.get(s.participant) ?? []), s]);
    const inputs: { participant: string; file: string; startSec: number; video: boolean; audio: boolean }[] = [];
    const participants: Record<string, string> = {};
    for (const [participant, all] of byParticipant) {
      const segs = await this.#richestRun(o, all);
      const list = join(out, `${safeName(participant)}.txt`);
      writeFileSync(list, segs.map((s) => `file '${join(o.dir, s.file).replace(/'/g, "'\\''")}'`).join('\n') + '\n');
      const file = join(out, `${safeName(participant)}.webm`);
      await this.#exec(ffmpeg, ['-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', file]);
      participants[participant] = file;
      // What the joined file really holds (a run can lack a track the label promised, e.g. no keyframe came).
      const kinds = await streamKinds(o.ffprobeBin ?? 'ffprobe', file);
      if (kinds.size)
        inputs.push({
          participant,
          file,
          startSec: segs[0]!.startMs / 1000,
          video: kinds.has('video'),
          audio: kinds.has('audio'),
        });
    }
    const totalSec = Math.max(0, ...o.segments.map((s) => s.endMs / 1000));
    if (inputs.length === 0) return { composite: null, participants };
    const composite = compositePath(o.dir);
    const partial = `${composite}.part`;
    const tile = o.tile ?? { width: 320, height: 240 };
    const videos = inputs.filter((i) => i.video);
    const layout: CompositeLayout = {
      tile,
      tiles: videos.map((v, k) => ({ participant: v.participant, ...tilePosition(k, videos.length, tile) })),
    };
    writeFileSync(compositeLayoutPath(o.dir), JSON.stringify(layout));
    const args = ['-y', '-nostats', '-progress', 'pipe:1', ...inputs.flatMap((i) => ['-i', i.file])];
    args.push('-filter_complex', gridFilter(inputs, tile));
    args.push('-map', '[v]', ...(inputs.some((i) => i.audio) ? ['-map', '[a]'] : []));
    args.push(
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '28',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '96k',
    );
    args.push('-movflags', '+faststart', '-f', 'mp4', partial);
    await this.#exec(ffmpeg, args, (line) => {
      const m = /^out_time_us=(\d+)/.exec(line);
      if (m && totalSec > 0) this.emit('progress', Math.min(1, Number(m[1]) / 1e6 / totalSec));
    });
    // Only a finished render carries the final name: a crash mid-render leaves no playable-looking file.
    renameSync(partial, composite);
    this.emit('progress', 1);
    return { composite, participants };
  }

  /** Runs one ffmpeg, killed by cancel(). */
  #exec(bin: string, args: string[], onLine?: (line: string) => void): Promise<void> {
    if (this.#cancelled) return Promise.reject(new Error('composite render cancelled'));
    return run(bin, args, onLine, (child) => {
      this.#children.add(child);
      child.once('exit', () => this.#children.delete(child));
    });
  }
}

/** Where a recording's finished composite lives. */
export function compositePath(recordingDir: string): string {
  return join(recordingDir, 'derived', 'composite.mp4');
}

/** The composite's layout file, written beside it when it is rendered. */
export function compositeLayoutPath(recordingDir: string): string {
  return join(recordingDir, 'derived', 'composite-layout.json');
}

/** The k-th of `count` video tiles in the grid (row by row, as many columns as rows or one more). */
export function tilePosition(k: number, count: number, tile: { width: number; height: number }) {
  const cols = Math.ceil(Math.sqrt(count));
  return { x: (k % cols) * tile.width, y: Math.floor(k / cols) * tile.height };
}

/** Video tiles padded to one size, delayed to each participant's start, laid out in a grid; audio mixed. */
export function gridFilter(
  inputs: readonly { startSec: number; video: boolean; audio: boolean }[],
  tile: { width: number; height: number },
): string {
  const parts: string[] = [];
  const videos = inputs.map((i, n) => ({ ...i, n })).filter((i) => i.video);
  const audios = inputs.map((i, n) => ({ ...i, n })).filter((i) => i.audio);
  for (const v of videos) {
    parts.push(
      `[${v.n}:v]scale=${tile.width}:${tile.height}:force_original_aspect_ratio=decrease,pad=${tile.width}:${tile.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=15,` +
        `tpad=start_duration=${v.startSec.toFixed(3)}:color=black[v${v.n}]`,
    );
  }
  const labels = videos.map((v) => `[v${v.n}]`).join('');
  if (videos.length === 1) parts.push(`${labels}null[v]`);
  else if (videos.length > 1) {
    const layout = videos
      .map((_, k) => tilePosition(k, videos.length, tile))
      .map((p) => `${p.x}_${p.y}`)
      .join('|');
    parts.push(`${labels}xstack=inputs=${videos.length}:layout=${layout}:fill=black[v]`);
  } else parts.push(`color=c=black:s=${tile.width}x${tile.height}:r=15[v]`);
  for (const a of audios) {
    const ms = Math.round(a.startSec * 1000);
    parts.push(`[${a.n}:a]adelay=${ms}|${ms}[a${a.n}]`);
  }
  if (audios.length)
    parts.push(`${audios.map((a) => `[a${a.n}]`).join('')}amix=inputs=${audios.length}:duration=longest[a]`);
  return parts.join(';');
}

function streamKinds(ffprobe: string, file: string): Promise<Set<string>> {
  return new Promise((resolve) => {
    execFile(ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', file], (err, stdout) =>
      resolve(
        new Set(
          err
            ? []
            : stdout
                .split('\n')
                .map((l) => l.trim())
                .filter(Boolean),
        ),
      ),
    );
  });
}

/** Runs ffmpeg quietly; `onLine` gets its stdout lines (e.g. `-progress pipe:1`). */
export function run(
  bin: string,
  args: string[],
  onLine: ((line: string) => void) | undefined,
  started: (child: ChildProcess) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, ['-hide_banner', '-loglevel', 'error', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    started(p);
    let err = '';
    let buf = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) onLine?.(l);
    });
    p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    p.once('error', reject);
    p.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${err.trim().split('\n').at(-1) ?? ''}`)),
    );
  });
}
