// One measured run of bot rooms on a fresh harness server: start, fill the rooms, settle, then
// read CPU from /proc for the mediasoup worker, the server's Node process and its ffmpeg children
// (the recorder) over a window while sampling the bots' decoded frame rates.
import { BotRooms } from './BotRooms.js';
import { Harness, delay } from './harness.js';
import { CpuMeter, children } from './proc.js';
import { median, percentile } from './results.js';
import { SyntheticMedia } from './SyntheticMedia.js';
import { tempDir } from './temp.js';

export interface RoomsRun {
  readonly size: number;
  readonly rooms: number;
  readonly record: boolean;
  readonly forwardedStreams: number;
  readonly cores: { readonly worker: number; readonly node: number; readonly ffmpeg: number };
  readonly joinsMs: number[];
  readonly fps: { readonly p50: number; readonly p10: number; readonly min: number };
  readonly ffmpegProcesses: number;
}

export async function measureRooms(o: {
  size: number;
  rooms: number;
  record: boolean;
  seconds: number;
  /** Bots send three simulcast layers (and a camera large enough for them) instead of one 320×240 stream. */
  simulcast?: boolean;
  camera?: { readonly width: number; readonly height: number };
}): Promise<RoomsRun> {
  const dir = tempDir('bench-rooms-');
  const h = await Harness.start({ dataDir: dir.path, record: o.record, workers: 1 });
  const media = new SyntheticMedia(o.camera);
  const rooms = new BotRooms(h, media, o.size, { simulcast: o.simulcast });
  try {
    const joinsMs: number[] = [];
    for (let i = 0; i < o.rooms; i++) joinsMs.push(await rooms.addRoom());
    await rooms.waitAllDecoding();
    await delay(3000);
    const [workerPid] = await h.workerPids();
    const ffmpegPids = () => children(h.pid, 'ffmpeg').map((p) => p.pid);
    const meters = {
      worker: new CpuMeter(() => [workerPid!]),
      node: new CpuMeter(() => [h.pid]),
      ffmpeg: new CpuMeter(ffmpegPids),
    };
    const before = rooms.snapshot();
    for (let s = 0; s < o.seconds; s++) {
      await delay(1000);
      meters.ffmpeg.tick();
    }
    const after = rooms.snapshot();
    const fps = rooms.fps(before, after);
    return {
      size: o.size,
      rooms: o.rooms,
      record: o.record,
      forwardedStreams: rooms.forwardedStreams,
      cores: {
        worker: meters.worker.total().cores,
        node: meters.node.total().cores,
        ffmpeg: meters.ffmpeg.total().cores,
      },
      joinsMs,
      fps: { p50: median(fps), p10: percentile(fps, 10), min: Math.min(...fps) },
      ffmpegProcesses: ffmpegPids().length,
    };
  } finally {
    await rooms.close().catch(() => undefined);
    media.stop();
    await h.stop();
    dir.remove();
  }
}
