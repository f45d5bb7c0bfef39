// Background rendering for easy playback (not evidence): each participant's runs are laid on the
// session timeline (playback.ts) into derived/<participant>.webm, gaps black and silent, then one MP4
// shows everyone in a grid with the audio mixed. Every file lasts as long as the session. Emits
// 'progress' (the grid's render) in 0..1.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { safeName } from './files.js';
import { gridFilter, participantFilter, playbackRuns, tilePosition, type ProbedRun } from './playback.js';
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
  /** The session's length (first published track to end); absent: up to the last segment's end. */
  readonly durationMs?: number;
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

  async #render(o: CompositeJobOptions): Promise<CompositeResult> {
    const ffmpeg = o.ffmpegBin ?? 'ffmpeg';
    const ffprobe = o.ffprobeBin ?? 'ffprobe';
    const out = join(o.dir, 'derived');
    mkdirSync(out, { recursive: true });
    const totalMs = o.durationMs ?? o.segments.reduce((m, s) => Math.max(m, s.endMs), 0);
    const totalSec = totalMs / 1000;
    const inputs: { participant: string; file: string; video: boolean; audio: boolean }[] = [];
    const participants: Record<string, string> = {};
    for (const [participant, runs] of playbackRuns(o.segments, totalMs)) {
      // Each run is its own input: runs may hold different tracks (concat takes its streams from the first file).
      const probed: (ProbedRun & { list: string })[] = [];
      for (const [k, run] of runs.entries()) {
        const list = join(out, `${safeName(participant)}.${k}.txt`);
        writeFileSync(list, run.files.map((f) => `file '${join(o.dir, f).replace(/'/g, "'\\''")}'`).join('\n') + '\n');
        const streams = await probeRun(ffprobe, list);
        if (streams.video || streams.audio)
          probed.push({ ...streams, list, startSec: run.startMs / 1000, durationSec: run.durationMs / 1000 });
      }
      if (probed.length === 0) continue;
      const sizes = probed.flatMap((r) => (r.video ? [r.video] : []));
      const even = (n: number) => 2 * Math.ceil(n / 2);
      // The rooms capture at 15 fps (RoomClient): a faster canvas would only repeat frames, at twice the encoding cost.
      const canvas = {
        width: sizes.length ? even(Math.max(...sizes.map((v) => v.width))) : 320,
        height: sizes.length ? even(Math.max(...sizes.map((v) => v.height))) : 240,
        fps: 15,
      };
      const file = join(out, `${safeName(participant)}.webm`);
      const args = [
        '-y',
        ...probed.flatMap((r) => ['-reinit_filter', '0', '-f', 'concat', '-safe', '0', '-i', r.list]),
      ];
      args.push('-filter_complex', participantFilter(probed, canvas, totalSec), '-map', '[v]', '-map', '[a]');
      // One encoder thread: libvpx's worker threads spin-wait and crawl (3 fps) on a loaded machine.
      args.push(
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-cpu-used',
        '16',
        '-threads',
        '1',
        '-lag-in-frames',
        '0',
        '-b:v',
        '600k',
      );
      args.push('-c:a', 'libopus', '-b:a', '48k');
      args.push('-t', totalSec.toFixed(3), '-f', 'webm', `${file}.part`);
      await this.#exec(ffmpeg, args);
      renameSync(`${file}.part`, file);
      participants[participant] = file;
      inputs.push({ participant, file, video: true, audio: true });
    }
    if (inputs.length === 0) return { composite: null, participants };
    const composite = compositePath(o.dir);
    const partial = `${composite}.part`;
    const tile = o.tile ?? { width: 320, height: 240 };
    const layout: CompositeLayout = {
      tile,
      tiles: inputs.map((v, k) => ({ participant: v.participant, ...tilePosition(k, inputs.length, tile) })),
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
    args.push('-t', totalSec.toFixed(3), '-movflags', '+faststart', '-f', 'mp4', partial);
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

/** The streams of a run (its concat list): video with its size when ffmpeg learnt it, audio. */
function probeRun(
  ffprobe: string,
  list: string,
): Promise<{ video: { width: number; height: number } | null; audio: boolean }> {
  return new Promise((resolve) => {
    const args = [
      '-v',
      'error',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      list,
      '-show_entries',
      'stream=codec_type,width,height',
      '-of',
      'json',
    ];
    execFile(ffprobe, args, (err, stdout) => {
      const streams = err
        ? []
        : ((JSON.parse(stdout) as { streams?: { codec_type: string; width?: number; height?: number }[] }).streams ??
          []);
      const v = streams.find((x) => x.codec_type === 'video' && (x.width ?? 0) > 0);
      resolve({
        video: v ? { width: v.width!, height: v.height! } : null,
        audio: streams.some((x) => x.codec_type === 'audio'),
      });
    });
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
