// Playback covers the whole session: runs made by real ffmpeg the way the recorder makes them
// (segment muxer, reset timestamps, a CSV list per run), for a participant who joined late, turned
// the camera off, came back at another size and left early. The rendered files last as long as the
// session, the gaps are black frames and silence (not a jump in timestamps), and a run whose video
// started late (waiting for a keyframe) stays in sync with its audio.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompositeJob, type CompositeResult } from './CompositeJob.js';
import { playbackRuns } from './playback.js';
import { readClosedSegments } from './ParticipantTap.js';
import type { SegmentRow } from './RecordingStore.js';

const sessionMs = 22_000;
let dir: string;
let segments: SegmentRow[];
let rendered: CompositeResult;

/** One recorder-like run: `seconds` of test pattern and/or a tone, cut into 3 s segments. */
function makeRun(
  folder: string,
  prefix: string,
  o: { seconds: number; video?: { size: string; delaySec: number }; audio: boolean },
): void {
  mkdirSync(join(dir, folder), { recursive: true });
  const inputs: string[] = [];
  if (o.audio) inputs.push('-f', 'lavfi', '-i', `sine=frequency=440:duration=${o.seconds}`);
  if (o.video) inputs.push('-f', 'lavfi', '-i', `testsrc=size=${o.video.size}:rate=15:duration=${o.seconds}`);
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', ...inputs],
    // Video frames from delaySec on, with their timestamps: as ffmpeg writes a run whose keyframe came late.
    ...(o.video
      ? [
          '-vf',
          `trim=start=${o.video.delaySec}`,
          '-c:v',
          'libvpx',
          '-deadline',
          'realtime',
          '-threads',
          '1',
          '-g',
          '15',
          '-b:v',
          '200k',
        ]
      : []),
    ...(o.audio ? ['-c:a', 'libopus'] : []),
    ...['-f', 'segment', '-segment_time', '3', '-segment_format', 'webm', '-reset_timestamps', '1'],
    ...[
      '-segment_list',
      join(dir, folder, `${prefix}.csv`),
      '-segment_list_type',
      'csv',
      join(dir, folder, `${prefix}-%05d.webm`),
    ],
  ]);
}

/** The chain rows the recorder would append for a run that started `atMs` into the session. */
function rowsOf(participant: string, folder: string, prefix: string, atMs: number): SegmentRow[] {
  return readClosedSegments(join(dir, folder, `${prefix}.csv`)).map((s) => ({
    index: 0,
    participant,
    track: 'audio+video',
    file: `${folder}/${s.name}`,
    bytes: 0,
    sha256: '0'.repeat(64),
    startMs: Math.round(atMs + s.startSec * 1000),
    endMs: Math.round(atMs + s.endSec * 1000),
    chainHash: '0'.repeat(64),
  }));
}

function ffprobeJson<T>(args: string[]): T {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-of', 'json', ...args], { encoding: 'utf8' })) as T;
}

function durationSec(file: string): number {
  return Number(
    ffprobeJson<{ format: { duration: string } }>(['-show_entries', 'format=duration', file]).format.duration,
  );
}

/** Intervals [start, end] (s) that ffmpeg's blackdetect or silencedetect logs; an open one ends with the file. */
function detected(file: string, kind: 'black' | 'silence'): [number, number][] {
  const filter = kind === 'black' ? ['-vf', 'blackdetect=d=0.3', '-an'] : ['-af', 'silencedetect=d=0.3', '-vn'];
  const log = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, ...filter, '-f', 'null', '-'], {
    encoding: 'utf8',
  }).stderr;
  if (kind === 'black')
    return [...log.matchAll(/black_start:([\d.]+) black_end:([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  const starts = [...log.matchAll(/silence_start: ([\d.]+)/g)].map((m) => Number(m[1]));
  const ends = [...log.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number(m[1]));
  return starts.map((s, i) => [s, ends[i] ?? durationSec(file)]);
}

function expectIntervals(actual: [number, number][], expected: [number, number][]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach(([s, e], i) => {
    expect(Math.abs(s - expected[i]![0])).toBeLessThan(0.25);
    expect(Math.abs(e - expected[i]![1])).toBeLessThan(0.25);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-playback-'));
  // Applicant: joins at 1 s (video waits 0.5 s for its keyframe), camera off from 7 s (audio only),
  // reconnects at 16 s with a larger camera, leaves at 20 s; the session lasts 22 s.
  makeRun('guest', 'r0001', { seconds: 6, audio: true, video: { size: '320x240', delaySec: 0.5 } });
  makeRun('guest', 'r0002', { seconds: 3, audio: true });
  makeRun('guest', 'r0003', { seconds: 4, audio: true, video: { size: '640x480', delaySec: 0 } });
  // Clerk: the whole session in one run.
  makeRun('clerk', 'r0001', { seconds: 22, audio: true, video: { size: '320x240', delaySec: 0 } });
  // Second clerk: the microphone's run from 0 s; the camera's track follows, and the run with both
  // starts at 2 s while the microphone's goes on to 3.5 s (the recorder overlaps them: no hole).
  makeRun('clerk2', 'r0001', { seconds: 3.5, audio: true });
  makeRun('clerk2', 'r0002', { seconds: 20, audio: true, video: { size: '320x240', delaySec: 0 } });
  segments = [
    ...rowsOf('guest:a', 'guest', 'r0001', 1_000),
    ...rowsOf('guest:a', 'guest', 'r0002', 11_000),
    ...rowsOf('guest:a', 'guest', 'r0003', 16_000),
    ...rowsOf('user:clerk', 'clerk', 'r0001', 0),
    ...rowsOf('user:clerk2', 'clerk2', 'r0001', 0),
    ...rowsOf('user:clerk2', 'clerk2', 'r0002', 2_000),
  ].map((s, index) => ({ ...s, index }));
  rendered = await CompositeJob.start({ dir, segments, durationMs: sessionMs }).result;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('playback of a session', () => {
  it('groups a participant’s segments into runs on the session timeline', () => {
    const runs = playbackRuns(segments, sessionMs).get('guest:a')!;
    expect(runs.map((r) => [r.startMs, Math.round(r.durationMs / 1000)])).toEqual([
      [1_000, 6],
      [11_000, 3],
      [16_000, 4],
    ]);
    expect(runs.flatMap((r) => r.files)).toEqual(
      segments.filter((s) => s.participant === 'guest:a').map((s) => s.file),
    );
  });

  it('cuts a run where the next one starts when they overlap: no hole, no doubled stretch', () => {
    const runs = playbackRuns(segments, sessionMs).get('user:clerk2')!;
    expect(runs.map((r) => [r.startMs, r.durationMs])).toEqual([
      [0, 2_000],
      [2_000, 20_000],
    ]);
    const file = rendered.participants['user:clerk2']!;
    const black = detected(file, 'black');
    const silence = detected(file, 'silence');
    console.log(`clerk2 black ${JSON.stringify(black)} silence ${JSON.stringify(silence)}`);
    // Black only until the camera's run; sound all along.
    expectIntervals(black, [[0, 2]]);
    expect(silence).toEqual([]);
  });

  it('renders every participant and the composite as long as the session', () => {
    for (const file of [
      rendered.participants['guest:a']!,
      rendered.participants['user:clerk']!,
      rendered.participants['user:clerk2']!,
      rendered.composite!,
    ]) {
      const d = durationSec(file);
      console.log(`${file.split('/').at(-1)}: ${d.toFixed(3)} s of a ${sessionMs / 1000} s session`);
      expect(Math.abs(d - sessionMs / 1000) / (sessionMs / 1000)).toBeLessThan(0.02);
    }
  });

  it('fills the gaps with frames and silence, and keeps a late keyframe in sync with its audio', () => {
    const file = rendered.participants['guest:a']!;
    const packets = ffprobeJson<{ packets: { pts_time: string }[] }>([
      '-select_streams',
      'v',
      '-show_entries',
      'packet=pts_time',
      file,
    ]).packets;
    const times = packets.map((p) => Number(p.pts_time)).sort((a, b) => a - b);
    const largestStep = Math.max(...times.slice(1).map((t, i) => t - times[i]!));
    console.log(
      `guest video: ${times.length} frames from ${times[0]} s to ${times.at(-1)} s, largest step ${largestStep.toFixed(3)} s`,
    );
    expect(times[0]).toBeLessThan(0.1);
    expect(times.at(-1)).toBeGreaterThan(sessionMs / 1000 - 0.2);
    expect(largestStep).toBeLessThan(0.1);
    // Black before the join and until the first keyframe (1.5 s), while the camera was off and after
    // the leave; silence before the join, between runs and after the leave.
    const black = detected(file, 'black');
    const silence = detected(file, 'silence');
    console.log(`guest black ${JSON.stringify(black)} silence ${JSON.stringify(silence)}`);
    expectIntervals(black, [
      [0, 1.5],
      [7, 16],
      [20, 22],
    ]);
    expectIntervals(silence, [
      [0, 1],
      [7, 11],
      [14, 16],
      [20, 22],
    ]);
  });
});
