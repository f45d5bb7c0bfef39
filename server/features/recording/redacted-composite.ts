// A redacted copy of the playback composite for sharing outside the audit office (issue 16 §2): one
// rectangle is blurred (ffmpeg boxblur over a crop, overlaid back) during given time windows; the
// rest of the picture and the audio are untouched. There is no ID-card detection yet (issue 15 adds
// OCR), so the caller blurs the applicant's whole tile, or the whole frame when the tile is unknown.
import { execFile, type ChildProcess } from 'node:child_process';
import { run } from './CompositeJob.js';

export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface RedactionOptions {
  readonly input: string;
  readonly output: string;
  readonly region: Region;
  /** Seconds from the video's start. */
  readonly windows: readonly { readonly fromSec: number; readonly toSec: number }[];
  readonly durationSec: number;
  readonly ffmpegBin?: string;
  readonly onProgress?: (fraction: number) => void;
}

/** The filter graph: the region cropped, blurred hard and laid back over itself in the windows. */
export function redactionFilter(region: Region, windows: RedactionOptions['windows']): string {
  const { x, y, width, height } = region;
  // Strong enough that print and edges are gone (4 passes of a box up to 81 px wide on a 320x240
  // tile); boxblur's chroma planes are half size, so the radius must fit in a quarter of the crop.
  const radius = Math.max(1, Math.min(40, Math.floor(Math.min(width, height) / 4) - 1));
  const enable = windows.map((w) => `between(t,${w.fromSec.toFixed(3)},${w.toSec.toFixed(3)})`).join('+');
  return (
    `[0:v]split=2[base][cut];[cut]crop=${width}:${height}:${x}:${y},boxblur=${radius}:4[blur];` +
    `[base][blur]overlay=${x}:${y}:enable='${enable}'[v]`
  );
}

/** Renders the redacted copy to `output` (MP4). Without windows the video is copied as it is. */
export async function renderRedactedComposite(o: RedactionOptions): Promise<void> {
  const args = ['-y', '-nostats', '-progress', 'pipe:1', '-i', o.input];
  if (o.windows.length === 0) args.push('-map', '0', '-c', 'copy');
  else
    args.push(
      ...['-filter_complex', redactionFilter(o.region, o.windows), '-map', '[v]', '-map', '0:a?'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-c:a', 'copy'],
    );
  args.push('-movflags', '+faststart', '-f', 'mp4', o.output);
  await run(
    o.ffmpegBin ?? 'ffmpeg',
    args,
    (line) => {
      const m = /^out_time_us=(\d+)/.exec(line);
      if (m && o.durationSec > 0) o.onProgress?.(Math.min(1, Number(m[1]) / 1e6 / o.durationSec));
    },
    (_child: ChildProcess) => undefined,
  );
}

/** The video's length in seconds (ffprobe), 0 when unknown. */
export function videoDuration(file: string, ffprobeBin = 'ffprobe'): Promise<number> {
  return new Promise((resolve) =>
    execFile(ffprobeBin, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], (err, out) =>
      resolve(err ? 0 : Number(out.trim()) || 0),
    ),
  );
}
