// ffprobe's view of a media file: codecs per stream, each stream's duration and the container's.
import { execFileSync } from 'node:child_process';

export interface ProbeSummary {
  readonly codecs: readonly string[];
  readonly durationSec: number;
  /** codec → duration of that stream (WebM's per-stream DURATION tag), when present */
  readonly streamSec: Readonly<Record<string, number>>;
}

export function probe(file: string): ProbeSummary {
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_name:stream_tags=DURATION:format=duration', '-of', 'json', file],
    {
      encoding: 'utf8',
    },
  );
  const j = JSON.parse(out) as {
    streams: { codec_name: string; tags?: { DURATION?: string } }[];
    format: { duration?: string };
  };
  const streamSec: Record<string, number> = {};
  for (const s of j.streams) {
    const m = /^(\d+):(\d+):([\d.]+)$/.exec(s.tags?.DURATION ?? '');
    if (m) streamSec[s.codec_name] = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  }
  return { codecs: j.streams.map((s) => s.codec_name).sort(), durationSec: Number(j.format.duration ?? 0), streamSec };
}
