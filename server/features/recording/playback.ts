// The session timeline for playback (derived files, not evidence): each participant's recorded runs
// placed where they happened, and what lies between them — before a late join, after an early leave,
// a camera switched off, a reconnect, a worker restart — filled with black video and silence, so a
// participant's file and the composite last as long as the session.
import { basename, dirname } from 'node:path';
import type { SegmentRow } from './RecordingStore.js';

/** One ffmpeg run of one participant: consecutive segments, joined without re-encoding. */
export interface PlaybackRun {
  /** Segment files relative to the recording's folder, in chain order. */
  readonly files: readonly string[];
  /** Where the run starts and how long it may play on the session timeline (cut where the next run starts). */
  readonly startMs: number;
  readonly durationMs: number;
}

/**
 * Each participant's runs in time order. Segments of one run share a file prefix (`r0003-00000.webm`,
 * `r0003-00001.webm`); a run plays until it ends, the next run starts, or the session ends.
 */
export function playbackRuns(segments: readonly SegmentRow[], sessionMs: number): Map<string, PlaybackRun[]> {
  const byRun = new Map<string, { participant: string; segs: SegmentRow[] }>();
  // A run stopped at once closes an empty segment (ffmpeg lists it from 0 to 0): nothing to play.
  for (const s of segments.filter((x) => x.endMs > x.startMs)) {
    const key = `${s.participant}\n${dirname(s.file)}\n${basename(s.file).replace(/-\d+\.webm$/, '')}`;
    const run = byRun.get(key) ?? { participant: s.participant, segs: [] };
    run.segs.push(s);
    byRun.set(key, run);
  }
  const out = new Map<string, PlaybackRun[]>();
  for (const { participant, segs } of byRun.values()) {
    segs.sort((a, b) => a.index - b.index);
    const list = out.get(participant) ?? [];
    list.push({
      files: segs.map((s) => s.file),
      startMs: segs[0]!.startMs,
      durationMs: segs.at(-1)!.endMs - segs[0]!.startMs,
    });
    out.set(participant, list);
  }
  for (const [participant, runs] of out) {
    runs.sort((a, b) => a.startMs - b.startMs);
    const clipped = runs.map((r, i) => {
      const end = Math.min(r.startMs + r.durationMs, runs[i + 1]?.startMs ?? Infinity, sessionMs);
      return { ...r, durationMs: end - r.startMs };
    });
    out.set(
      participant,
      clipped.filter((r) => r.durationMs > 0),
    );
  }
  return out;
}

/** What ffprobe found in a run: a run may lack a track (audio-only, or no keyframe ever came). */
export interface ProbedRun {
  readonly startSec: number;
  readonly durationSec: number;
  readonly video: { readonly width: number; readonly height: number } | null;
  readonly audio: boolean;
}

export interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

/**
 * One participant's timeline as a filter graph over inputs 0..n-1 (the runs, in order): a black
 * canvas and silence of the session's length, each run's video overlaid from its start (its own
 * timestamps kept, so a keyframe that came late stays in sync with the audio) and its audio mixed in
 * at the same offset. Timestamps are absolute, so nothing drifts however many runs there are.
 * Outputs [v] and [a].
 */
export function participantFilter(runs: readonly ProbedRun[], canvas: Canvas, totalSec: number): string {
  const { width: w, height: h, fps } = canvas;
  const t = totalSec.toFixed(3);
  const parts = [
    `color=c=black:s=${w}x${h}:r=${fps}:d=${t},format=yuv420p[bg0]`,
    `anullsrc=r=48000:cl=stereo:d=${t}[silence]`,
  ];
  let bg = 'bg0';
  const audio: string[] = [];
  runs.forEach((r, n) => {
    const start = r.startSec.toFixed(3);
    const dur = r.durationSec.toFixed(3);
    if (r.video) {
      parts.push(
        `[${n}:v]trim=end=${dur},scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p,` +
          `setpts=PTS+${start}/TB[v${n}]`,
      );
      parts.push(`[${bg}][v${n}]overlay=eof_action=pass:repeatlast=0[bg${n + 1}]`);
      bg = `bg${n + 1}`;
    }
    if (r.audio) {
      // async=1 fills holes inside the run with silence and first_pts=0 a late first packet, so the
      // audio keeps the run's clock.
      const ms = Math.round(r.startSec * 1000);
      parts.push(
        `[${n}:a]aresample=48000:async=1:first_pts=0,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=end=${dur},adelay=${ms}:all=1[a${n}]`,
      );
      audio.push(`[a${n}]`);
    }
  });
  parts.push(`[${bg}]null[v]`);
  // The runs never overlap, so mixing without normalisation is joining them onto the silence.
  parts.push(`[silence]${audio.join('')}amix=inputs=${audio.length + 1}:duration=first:normalize=0[a]`);
  return parts.join(';');
}

/** The k-th of `count` video tiles in the grid (row by row, as many columns as rows or one more). */
export function tilePosition(k: number, count: number, tile: { width: number; height: number }) {
  const cols = Math.ceil(Math.sqrt(count));
  return { x: (k % cols) * tile.width, y: Math.floor(k / cols) * tile.height };
}

/** Video tiles padded to one size and laid out in a grid; audio mixed. Every input covers the whole session. */
export function gridFilter(
  inputs: readonly { video: boolean; audio: boolean }[],
  tile: { width: number; height: number },
): string {
  const parts: string[] = [];
  const videos = inputs.map((i, n) => ({ ...i, n })).filter((i) => i.video);
  const audios = inputs.map((i, n) => ({ ...i, n })).filter((i) => i.audio);
  for (const v of videos) {
    parts.push(
      `[${v.n}:v]scale=${tile.width}:${tile.height}:force_original_aspect_ratio=decrease,pad=${tile.width}:${tile.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=15[v${v.n}]`,
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
  if (audios.length)
    parts.push(`${audios.map((a) => `[${a.n}:a]`).join('')}amix=inputs=${audios.length}:duration=longest[a]`);
  return parts.join(';');
}
