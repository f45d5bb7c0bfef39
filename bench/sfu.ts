// SFU cost with headless bots on a real server (no recorder, one mediasoup worker): server CPU per
// forwarded stream from /proc (the worker, and the Node process for signalling), and the late
// joiner's join-to-first-frame, in rooms of 3 and of 6. The anchor (about 500 consumers per worker
// core, from mediasoup's documentation) is quoted, not measured.
import { measureRooms, type RoomsRun } from './support/measure.js';
import { median, row, type BenchRow } from './support/results.js';

export const publishedConsumersPerCore = 500;

export async function benchSfu(o: {
  shapes: readonly (readonly [size: number, rooms: number])[];
  seconds: number;
}): Promise<{ rows: BenchRow[]; runs: RoomsRun[] }> {
  const rows: BenchRow[] = [];
  const runs: RoomsRun[] = [];
  for (const [size, rooms] of o.shapes) {
    const run = await measureRooms({ size, rooms, record: false, seconds: o.seconds });
    runs.push(run);
    const group = `SFU ${rooms} rooms × ${size}`;
    const streams = run.forwardedStreams;
    rows.push(
      row(group, 'worker CPU per forwarded stream', (100 * run.cores.worker) / streams, '% core', {
        peer: {
          name: 'mediasoup: ~500 consumers/worker core (published anchor)',
          value: 100 / publishedConsumersPerCore,
          measured: false,
        },
        note: `${streams} consumers (audio+video); worker ${(100 * run.cores.worker).toFixed(1)}% core ⇒ ~${Math.round(streams / Math.max(run.cores.worker, 1e-9))} consumers/core`,
      }),
      row(group, 'server Node process CPU during the call', 100 * run.cores.node, '% core'),
      row(group, 'late joiner: join to first frame of every remote, p50', median(run.joinsMs), 'ms', {
        note: `max ${Math.round(Math.max(...run.joinsMs))} ms over ${run.joinsMs.length} rooms (socket, transports, ICE/DTLS, produce, consume)`,
      }),
      row(group, 'decoded fps per remote video p50 (15 sent)', run.fps.p50, 'fps', {
        note: `min ${run.fps.min.toFixed(1)}`,
      }),
    );
  }
  return { rows, runs };
}
