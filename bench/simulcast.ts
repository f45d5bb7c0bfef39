// Simulcast's cost at the SFU, measured in one run against single-layer sending: the same rooms of
// bots with the same 960×540 synthetic camera, once sending one stream (300 kbit/s) and once the
// three simulcast layers of protocol/media.ts. The mediasoup worker's CPU per forwarded stream
// (consumer) is the figure: with simulcast the worker receives three streams per camera and picks
// one per consumer.
import { cameraCapture } from '../protocol/media.js';
import { measureRooms, type RoomsRun } from './support/measure.js';
import { row, type BenchRow } from './support/results.js';

export async function benchSimulcast(o: {
  size: number;
  rooms: number;
  seconds: number;
}): Promise<{ rows: BenchRow[]; runs: RoomsRun[] }> {
  const camera = { width: cameraCapture.width, height: cameraCapture.height };
  const shape = { size: o.size, rooms: o.rooms, record: false, seconds: o.seconds, camera };
  const single = await measureRooms({ ...shape, simulcast: false });
  const layered = await measureRooms({ ...shape, simulcast: true });
  const perConsumer = (r: RoomsRun) => (100 * r.cores.worker) / r.forwardedStreams;
  const group = `SFU simulcast ${o.rooms} rooms × ${o.size} (${camera.width}×${camera.height})`;
  return {
    runs: [single, layered],
    rows: [
      row(group, 'worker CPU per consumer, three simulcast layers', perConsumer(layered), '% core', {
        peer: {
          name: 'the same rooms sending one layer (measured in this run)',
          value: perConsumer(single),
          measured: true,
        },
        note: `${layered.forwardedStreams} consumers; worker ${(100 * layered.cores.worker).toFixed(1)}% vs ${(100 * single.cores.worker).toFixed(1)}% core`,
      }),
      row(group, 'decoded fps per remote video p50, simulcast (15 sent)', layered.fps.p50, 'fps', {
        peer: { name: 'one layer', value: single.fps.p50, measured: true },
        note: `min ${layered.fps.min.toFixed(1)} vs ${single.fps.min.toFixed(1)}`,
      }),
    ],
  };
}
