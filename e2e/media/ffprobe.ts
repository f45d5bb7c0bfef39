// ffprobe's view of a media file: codecs per stream, each stream's duration and the container's.
import { execFileSync } from 'node:child_process';

export interface ProbeSummary {
  readonly codecs: readonly string[];
  readonly durationSec: number;
  /** codec → duration of that stream (WebM's per-stream DURATION tag), when present */
  readonly streamSec: Readonly<Record<string, number>>;
  /** codec → the stream's first timestamp */
  readonly startSec: Readonly<Record<string, number>>;
}

export function probe(file: string): ProbeSummary {
  const out = execFileSync(
    'ffprobe',
    [
      ...['-v', 'error', '-of', 'json', file],
      ...['-show_entries', 'stream=codec_name,start_time:stream_tags=DURATION:format=duration'],
    ],
    { encoding: 'utf8' },
  );
  const j = JSON.parse(out) as {
    streams: { codec_name: string; start_time?: string; tags?: { DURATION?: string } }[];
    format: { duration?: string };
  };
  const streamSec: Record<string, number> = {};
  const startSec: Record<string, number> = {};
  for (const s of j.streams) {
    if (s.start_time !== undefined) startSec[s.codec_name] = Number(s.start_time);
    const m = /^(\d+):(\d+):([\d.]+)$/.exec(s.tags?.DURATION ?? '');
    if (m) streamSec[s.codec_name] = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  }
  return {
    codecs: j.streams.map((s) => s.codec_name).sort(),
    durationSec: Number(j.format.duration ?? 0),
    streamSec,
    startSec,
  };
}

/** Timestamps (s) of every video frame, in order. */
export function videoFrameTimes(file: string): number[] {
  const args = ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file];
  return execFileSync('ffprobe', args, { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.trim())
    .map(Number)
    .sort((a, b) => a - b);
}

/** An image's (or a video's first stream's) width and height. */
export function frameSize(file: string): { width: number; height: number } {
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', '-of', 'json', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', file],
    { encoding: 'utf8' },
  );
  const [stream] = (JSON.parse(out) as { streams: { width: number; height: number }[] }).streams;
  if (!stream) throw new Error(`no picture in ${file}`);
  return { width: stream.width, height: stream.height };
}
