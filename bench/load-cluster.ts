// `npm run load -- --cluster` (issue 14 §7): rooms held per media node of a two-node cluster, beside
// one node measured in the same run the same way, and what a pipe between media nodes costs beside
// a local consumer (cluster-pipe.ts). Each setup gets the ramp of `npm run load` (rooms of 3 bots,
// recorder on, every receiver at ≥ 80 % of 15 fps in each 10 s window), then holds its last good
// count for the hold period on fresh nodes, memory checked, one room fewer if that fails. One node runs a worker per
// core; the cluster's two nodes half as many each, rooms homed on A and B in turn (each seat on its
// room's home, as a load balancer keeping a session on its node would). On one machine both nodes
// share its cores, bots included: the figure shows how placement spreads rooms and what the cluster
// machinery costs, not what two machines would hold.
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchPipe } from './cluster-pipe.js';
import { BotRooms, type RoomPlacement } from './support/BotRooms.js';
import { Harness, delay } from './support/harness.js';
import { HarnessCluster, withRedis } from './support/harness-cluster.js';
import { fpsSent, grow, ramp, say, watch, type Check } from './support/load-check.js';
import { table } from './support/report.js';
import { row, type BenchRow } from './support/results.js';
import { SyntheticMedia } from './support/SyntheticMedia.js';
import { tempDir } from './support/temp.js';

const nodes = 2;

interface Held {
  /** The room count held for the whole period (0: none). */
  readonly rooms: number;
  /** Rooms per node at that count. */
  readonly perNode: number[];
  readonly log: Check[];
}

interface Setup {
  readonly label: string;
  readonly nodes: readonly Harness[];
  readonly rooms: BotRooms;
  readonly placement?: (room: number) => RoomPlacement;
  close(): Promise<void>;
}

/**
 * Ramp on fresh nodes, then hold the last good count on fresh nodes again (an overloaded run is not
 * reused: streams it starved may stay behind), one room fewer if the hold fails.
 */
async function rampAndHold(
  fresh: () => Promise<Setup>,
  o: { rampSeconds: number; holdSeconds: number; maxRooms: number; until: number },
): Promise<Held> {
  const log: Check[] = [];
  const ramped = await fresh();
  let count: number;
  try {
    count = await ramp({
      ...ramped,
      seconds: o.rampSeconds,
      maxRooms: o.maxRooms,
      until: o.until - 2 * o.holdSeconds * 1000,
      log,
    });
  } finally {
    await ramped.close();
  }
  for (let attempt = 0; attempt < 2 && count > 0; attempt++, count--) {
    const s = await fresh();
    try {
      let up = true;
      while (up && s.rooms.rooms.length < count) up = await grow(s.rooms, s.placement?.(s.rooms.rooms.length));
      if (!up) continue;
      await delay(5000);
      say(`${s.label} hold: ${count} rooms for ${o.holdSeconds} s…`);
      const c = await watch(s.nodes, s.rooms, o.holdSeconds, true);
      log.push(c);
      say(
        `${s.label} hold: ${c.rooms} rooms, worst fps ${c.worstFps.toFixed(1)}, memory slope ${c.slopeMiBPerMin?.toFixed(2) ?? 'n/a (under a minute)'} MiB/min: ${c.reason}`,
      );
      if (c.ok)
        return { rooms: count, perNode: s.nodes.map((n) => s.rooms.rooms.filter((r) => r.home === n).length), log };
    } finally {
      await s.close();
    }
  }
  return { rooms: 0, perNode: [], log };
}

export async function loadCluster(o: {
  rampSeconds: number;
  holdSeconds: number;
  maxRooms: number;
  deadline: number;
}): Promise<void> {
  const media = new SyntheticMedia({ fps: fpsSent });
  const workers = cpus().length;
  const result = await withRedis(async (redisUrl) => {
    say('pipe cost: the same rooms with every seat on node A, then the applicant on node B (twice each)…');
    const pipe = await benchPipe({ redisUrl, rooms: 3, seconds: 20, rounds: 2 });
    // One node gets half the time left; the cluster the other half.
    const half = performance.now() + (o.deadline - performance.now()) / 2;
    const single = await rampAndHold(() => oneNode(media, workers), { ...o, until: half });
    const cluster = await rampAndHold(() => twoNodes(media, workers, redisUrl), { ...o, until: o.deadline });
    return { pipe, single, cluster };
  }).finally(() => media.stop());

  const group = `Load: rooms of 3, recorder on, ≥ ${0.8 * fpsSent} fps per remote video, ${o.holdSeconds} s hold`;
  const peer = {
    name: 'one node alone, ramp and hold the same way (this run)',
    value: result.single.rooms,
    measured: true,
  };
  const rows: BenchRow[] = [
    ...result.pipe.rows,
    row(group, `rooms held per media node (cluster of ${nodes})`, result.cluster.rooms / nodes, 'rooms', {
      peer,
      note: `rooms per node ${result.cluster.perNode.join('/') || '-'}; the nodes share this machine's ${workers} cores with the bots`,
    }),
    row(group, `rooms held by the cluster of ${nodes}`, result.cluster.rooms, 'rooms', { peer }),
  ];
  process.stdout.write(`\n${table(rows)}\n`);
  const out = fileURLToPath(new URL('./results/load-cluster.json', import.meta.url));
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  const settings = { rampSeconds: o.rampSeconds, holdSeconds: o.holdSeconds, maxRooms: o.maxRooms };
  writeFileSync(
    out,
    `${JSON.stringify({ at: new Date().toISOString(), cores: workers, ...settings, rows, result }, null, 1)}\n`,
  );
  say(`wrote ${out}`);
}

/** One node with a worker per core on a data directory of its own. */
async function oneNode(media: SyntheticMedia, workers: number): Promise<Setup> {
  const dir = tempDir('tongban-load-');
  const h = await Harness.start({ dataDir: dir.path, record: true, workers });
  const rooms = new BotRooms(h, media, 3);
  return {
    label: 'one node',
    nodes: [h],
    rooms,
    async close() {
      await rooms.close().catch(() => undefined);
      await h.stop();
      dir.remove();
    },
  };
}

/** Two nodes with half the workers each, rooms homed on them in turn. */
async function twoNodes(media: SyntheticMedia, workers: number, redisUrl: string): Promise<Setup> {
  const cluster = await HarnessCluster.start({
    redisUrl,
    nodes,
    workersPerNode: Math.max(1, Math.floor(workers / nodes)),
    record: true,
  });
  const rooms = new BotRooms(cluster.node(0), media, 3);
  return {
    label: `cluster (${nodes} nodes)`,
    nodes: cluster.nodes,
    rooms,
    placement: (i) => ({ home: cluster.node(i % nodes) }),
    async close() {
      await rooms.close().catch(() => undefined);
      await cluster.stop();
    },
  };
}
