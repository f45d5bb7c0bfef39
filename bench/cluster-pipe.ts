// What a mediasoup pipe between media nodes costs (issue 14 §7), measured beside a local consumer in
// one run: the same rooms of 3 bots homed on node A of a two-node cluster, first with every seat on A
// (local consumers only), then with the applicant's seat on node B — its audio and video piped to A,
// the two others' piped to B. The workers' CPU of both nodes from /proc over the same window; the
// extra CPU of the second run, per piped stream, is the pipe's cost (both ends: the PipeTransport
// producer and consumer, SRTP in and out). No recorder, as in the SFU rows.
import { BotRooms, type RoomPlacement } from './support/BotRooms.js';
import { delay } from './support/harness.js';
import { HarnessCluster } from './support/harness-cluster.js';
import { CpuMeter } from './support/proc.js';
import { median, row, type BenchRow } from './support/results.js';
import { SyntheticMedia } from './support/SyntheticMedia.js';

const size = 3;
/** The seat that joins through node B in the piped run (the applicant's). */
const remoteSeat = 2;

interface PipeRun {
  readonly piped: boolean;
  readonly consumers: number;
  readonly pipedStreams: number;
  readonly workerCores: number;
  readonly nodeCores: number;
  readonly fpsP50: number;
  readonly fpsMin: number;
  /** The last joiner's join → first frame of every remote, per room. */
  readonly joinsMs: number[];
}

/** Streams crossing nodes: each producer is piped once to every other node that has a consumer of it. */
function pipedStreams(nodeOfSeat: readonly number[]): number {
  let pipes = 0;
  for (const [s, from] of nodeOfSeat.entries())
    pipes += new Set(nodeOfSeat.filter((to, c) => c !== s && to !== from)).size * 2;
  return pipes;
}

async function measure(o: { redisUrl: string; rooms: number; seconds: number; piped: boolean }): Promise<PipeRun> {
  const cluster = await HarnessCluster.start({ redisUrl: o.redisUrl, nodes: 2, workersPerNode: 1, record: false });
  const [a, b] = [cluster.node(0), cluster.node(1)];
  const media = new SyntheticMedia();
  const rooms = new BotRooms(a, media, size);
  const placement: RoomPlacement = { home: a, seatNode: (seat) => (o.piped && seat === remoteSeat ? b : a) };
  try {
    const joinsMs: number[] = [];
    for (let i = 0; i < o.rooms; i++) joinsMs.push(await rooms.addRoom(30_000, placement));
    await rooms.waitAllDecoding();
    await delay(3000);
    const workers = await cluster.workerPids();
    const meters = { worker: new CpuMeter(() => workers), node: new CpuMeter(() => [a.pid, b.pid]) };
    const before = rooms.snapshot();
    await delay(o.seconds * 1000);
    const fps = rooms.fps(before, rooms.snapshot());
    const seats = Array.from({ length: size }, (_, seat) => (o.piped && seat === remoteSeat ? 1 : 0));
    return {
      piped: o.piped,
      consumers: rooms.forwardedStreams,
      pipedStreams: o.rooms * pipedStreams(seats),
      workerCores: meters.worker.total().cores,
      nodeCores: meters.node.total().cores,
      fpsP50: median(fps),
      fpsMin: Math.min(...fps),
      joinsMs,
    };
  } finally {
    await rooms.close().catch(() => undefined);
    media.stop();
    await cluster.stop();
  }
}

/** The run whose workers' CPU is the median of `runs` (the lower middle one of an even count). */
function medianRun(runs: readonly PipeRun[]): PipeRun {
  return [...runs].sort((x, y) => x.workerCores - y.workerCores)[Math.floor((runs.length - 1) / 2)]!;
}

/** `rounds` of the two runs, alternated (a busy moment of the machine falls on both alike); medians compared. */
export async function benchPipe(o: {
  redisUrl: string;
  rooms: number;
  seconds: number;
  rounds: number;
}): Promise<{ rows: BenchRow[]; runs: PipeRun[] }> {
  const runs: PipeRun[] = [];
  for (let r = 0; r < o.rounds; r++) for (const piped of [false, true]) runs.push(await measure({ ...o, piped }));
  const local = medianRun(runs.filter((r) => !r.piped));
  const piped = medianRun(runs.filter((r) => r.piped));
  const cores = (piped: boolean) =>
    runs
      .filter((r) => r.piped === piped)
      .map((r) => `${(100 * r.workerCores).toFixed(1)}%`)
      .join(', ');
  const perConsumer = (100 * local.workerCores) / local.consumers;
  const perPipe = (100 * (piped.workerCores - local.workerCores)) / piped.pipedStreams;
  const group = `Cluster pipe ${o.rooms} rooms × ${size}, the applicant on the other media node`;
  return {
    runs,
    rows: [
      row(group, 'workers CPU per piped stream (both ends)', perPipe, '% core', {
        peer: { name: 'a local consumer (the same rooms on one node, this run)', value: perConsumer, measured: true },
        note: `${piped.pipedStreams} piped streams beside the same ${piped.consumers} consumers; workers (median of ${o.rounds}) piped ${cores(true)} vs local ${cores(false)} core`,
      }),
      row(group, 'nodes (Node.js) CPU, piped rooms', 100 * piped.nodeCores, '% core', {
        peer: { name: 'all seats on one node', value: 100 * local.nodeCores, measured: true },
      }),
      row(group, 'decoded fps per remote video p50, piped (15 sent)', piped.fpsP50, 'fps', {
        peer: { name: 'all seats on one node', value: local.fpsP50, measured: true },
        note: `min ${piped.fpsMin.toFixed(1)} vs ${local.fpsMin.toFixed(1)}`,
      }),
      row(group, 'applicant via node B: join to first frame of every remote, p50', median(piped.joinsMs), 'ms', {
        peer: { name: 'joining the home node', value: median(local.joinsMs), measured: true },
      }),
    ],
  };
}
