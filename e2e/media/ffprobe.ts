// ffprobe's view of a media file: codecs per stream and the container duration.
import { execFileSync } from 'node:child_process';

export interface ProbeSummary {
  readonly codecs: readonly string[];
  readonly durationSec: number;
}

export function probe(file: string): ProbeSummary {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', file], {
    encoding: 'utf8',
  });
  const j = JSON.parse(out) as { streams: { codec_name: string }[]; format: { duration?: string } };
  return { codecs: j.streams.map((s) => s.codec_name).sort(), durationSec: Number(j.format.duration ?? 0) };
}
