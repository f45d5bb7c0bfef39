// Where a participant's recording has no media: every packet of its chained segments, read with
// ffprobe, placed on the recording's timeline (segment start + packet time within the segment),
// and the gaps between consecutive packets. A hole inside a segment (the run went on while no
// packets came) counts as much as one between segments or runs.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { RecordingTimeline } from '../../bench/support/harness-protocol.js';

export interface Hole {
  /** Milliseconds from the recording's start. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly lengthMs: number;
}

export interface Coverage {
  readonly firstMs: number;
  readonly lastMs: number;
  readonly packets: number;
  /** Longest first. */
  readonly holes: Hole[];
  /** Chained segments ffprobe cannot read (their span has no packets, so it shows up as a hole). */
  readonly unreadable: string[];
}

export function coverage(t: RecordingTimeline, participant: string, kind: 'audio' | 'video'): Coverage {
  const times: number[] = [];
  const unreadable: string[] = [];
  for (const s of t.segments) {
    if (s.participant !== participant || !s.track.split('+').includes(kind)) continue;
    const pts = packetTimes(join(t.dir, s.file), kind);
    if (!pts) {
      unreadable.push(`${s.file} (${s.startMs}–${s.endMs} ms)`);
      continue;
    }
    const first = pts[0];
    if (first === undefined) continue;
    for (const p of pts) times.push(s.startMs + (p - first) * 1000);
  }
  times.sort((a, b) => a - b);
  const holes: Hole[] = [];
  for (let i = 1; i < times.length; i++)
    holes.push({ fromMs: times[i - 1]!, toMs: times[i]!, lengthMs: times[i]! - times[i - 1]! });
  holes.sort((a, b) => b.lengthMs - a.lengthMs);
  return {
    firstMs: times[0] ?? Number.NaN,
    lastMs: times.at(-1) ?? Number.NaN,
    packets: times.length,
    holes,
    unreadable,
  };
}

function packetTimes(file: string, kind: 'audio' | 'video'): number[] | null {
  let out: string;
  try {
    out = execFileSync(
      'ffprobe',
      [
        ...['-v', 'error', '-select_streams', kind === 'video' ? 'v:0' : 'a:0'],
        ...['-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file],
      ],
      { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch {
    return null;
  }
  return out
    .split('\n')
    .map((l) => Number.parseFloat(l))
    .filter((x) => Number.isFinite(x))
    .sort((a, b) => a - b);
}
