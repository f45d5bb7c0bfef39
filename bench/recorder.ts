// Recorder cost per recorded track: the same rooms with and without the recorder (the real media
// plugin: a PlainTransport per participant feeding ffmpeg, WebM segments, hash chain). The cost is
// ffmpeg's CPU plus what the worker and the Node process spend more than without recording.
import { measureRooms, type RoomsRun } from './support/measure.js';
import { row, type BenchRow } from './support/results.js';

export async function benchRecorder(o: {
  rooms: number;
  seconds: number;
  baseline?: RoomsRun;
}): Promise<{ rows: BenchRow[]; runs: RoomsRun[] }> {
  const size = 3;
  const plain =
    o.baseline?.size === size && o.baseline.rooms === o.rooms
      ? o.baseline
      : await measureRooms({ size, rooms: o.rooms, record: false, seconds: o.seconds });
  const recorded = await measureRooms({ size, rooms: o.rooms, record: true, seconds: o.seconds });
  const tracks = o.rooms * size * 2;
  const extra =
    recorded.cores.ffmpeg +
    Math.max(0, recorded.cores.worker - plain.cores.worker) +
    Math.max(0, recorded.cores.node - plain.cores.node);
  const group = `Recorder ${o.rooms} rooms × ${size}`;
  return {
    runs: o.baseline === plain ? [recorded] : [plain, recorded],
    rows: [
      row(group, 'recorder CPU per recorded track (ffmpeg + worker/Node delta)', (100 * extra) / tracks, '% core', {
        note: `${tracks} tracks, ${recorded.ffmpegProcesses} ffmpeg; ffmpeg ${(100 * recorded.cores.ffmpeg).toFixed(1)}%, worker ${(100 * plain.cores.worker).toFixed(1)}→${(100 * recorded.cores.worker).toFixed(1)}%, node ${(100 * plain.cores.node).toFixed(1)}→${(100 * recorded.cores.node).toFixed(1)}%`,
      }),
      row(group, 'ffmpeg CPU per recorded track', (100 * recorded.cores.ffmpeg) / tracks, '% core'),
    ],
  };
}
