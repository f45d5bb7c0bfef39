// `npm run load -- --cluster` (issue 14 §7): rooms held per media node of a two-node cluster, beside
// one node measured in the same run, and what a pipe between media nodes costs beside a local
// consumer (cluster-pipe.ts). Both ramps are those of `npm run load` (rooms of 3 bots, recorder on,
// every receiver at ≥ 80 % of 15 fps in each 10 s window): one node with a worker per core, then two
// nodes with half the workers each, rooms homed on A and B in turn (each seat on its room's home, as
// a load balancer keeping a session's participants on its node would); the cluster then holds its
// last good count for the hold period, memory checked. On one machine both nodes share its cores:
// the figure shows that placement spreads rooms over the nodes and what the cluster machinery costs,
// not what two machines would hold.
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchPipe } from './cluster-pipe.js';
import { BotRooms } from './support/BotRooms.js';
import { Harness, delay } from './support/harness.js';
import { HarnessCluster, withRedis } from './support/harness-cluster.js';
import { fpsSent, ramp, say, watch, type Check } from './support/load-check.js';
import { table } from './support/report.js';
import { row, type BenchRow } from './support/results.js';
import { SyntheticMedia } from './support/SyntheticMedia.js';
import { tempDir } from './support/temp.js';

const nodes = 2;

export async function loadCluster(o: {
  rampSeconds: number;
  holdSeconds: number;
  maxRooms: number;
  deadline: number;
}): Promise<void> {
  const log: { single: Check[]; cluster: Check[] } = { single: [], cluster: [] };
  const media = new SyntheticMedia({ fps: fpsSent });
  const workers = cpus().length;
  const result = await withRedis(async (redisUrl) => {
    say('pipe cost: the same rooms with every seat on node A, then the applicant on node B…');
    const pipe = await benchPipe({ redisUrl, rooms: 3, seconds: 20 });
    // The single node's ramp gets half the time left; the cluster's ramp and hold the other half.
    const half = performance.now() + (o.deadline - performance.now()) / 2;
    const single = await rampOneNode(o, media, workers, log.single, half);
    const cluster = await HarnessCluster.start({
      redisUrl,
      nodes,
      workersPerNode: Math.max(1, Math.floor(workers / nodes)),
      record: true,
    });
    const rooms = new BotRooms(cluster.node(0), media, 3);
    try {
      const lastGood = await ramp({
        label: `cluster ramp (${nodes} nodes)`,
        nodes: cluster.nodes,
        rooms,
        seconds: o.rampSeconds,
        maxRooms: o.maxRooms,
        until: o.deadline - o.holdSeconds * 1000,
        placement: (i) => ({ home: cluster.node(i % nodes) }),
        log: log.cluster,
      });
      while (rooms.rooms.length > lastGood) await rooms.removeLast();
      await delay(5000);
      say(`cluster hold: ${lastGood} rooms for ${o.holdSeconds} s…`);
      const held = lastGood > 0 ? await watch(cluster.nodes, rooms, o.holdSeconds, true) : undefined;
      if (held)
        say(
          `cluster hold: ${held.rooms} rooms, worst fps ${held.worstFps.toFixed(1)}, memory slope ${held.slopeMiBPerMin?.toFixed(2) ?? 'n/a (hold under a minute)'} MiB/min: ${held.reason}`,
        );
      const perNode = rooms.rooms.reduce(
        (m, r) => m.set(r.home, (m.get(r.home) ?? 0) + 1),
        new Map<Harness, number>(cluster.nodes.map((n) => [n, 0])),
      );
      return { pipe, single, cluster: { lastGood, held, roomsPerNode: [...perNode.values()] } };
    } finally {
      await rooms.close().catch(() => undefined);
      await cluster.stop();
    }
  }).finally(() => media.stop());

  const sustained = result.cluster.held?.ok ? result.cluster.lastGood : 0;
  const group = `Load: rooms of 3, recorder on, ≥ ${0.8 * fpsSent} fps per remote video`;
  const rows: BenchRow[] = [
    ...result.pipe.rows,
    row(group, `rooms held per media node (cluster of ${nodes}, ${o.holdSeconds} s hold)`, sustained / nodes, 'rooms', {
      peer: { name: 'one node alone: the last count of its ramp (this run)', value: result.single, measured: true },
      note: `rooms per node ${result.cluster.roomsPerNode.join('/')}; both nodes share this machine's ${workers} cores`,
    }),
    row(group, `rooms held by the cluster of ${nodes} (${o.holdSeconds} s hold)`, sustained, 'rooms', {
      peer: { name: 'one node alone: the last count of its ramp (this run)', value: result.single, measured: true },
      note: result.cluster.held ? result.cluster.held.reason : 'no count held',
    }),
  ];
  process.stdout.write(`\n${table(rows)}\n`);
  const out = fileURLToPath(new URL('./results/load-cluster.json', import.meta.url));
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ at: new Date().toISOString(), cores: workers, rampSeconds: o.rampSeconds, holdSeconds: o.holdSeconds, rows, result, log }, null, 1)}\n`,
  );
  say(`wrote ${out}`);
}

/** The single node's ramp (same checks), on a server of its own: the last room count that held. */
async function rampOneNode(
  o: { rampSeconds: number; maxRooms: number },
  media: SyntheticMedia,
  workers: number,
  log: Check[],
  until: number,
): Promise<number> {
  const dir = tempDir('tongban-load-');
  const h = await Harness.start({ dataDir: dir.path, record: true, workers });
  const rooms = new BotRooms(h, media, 3);
  try {
    return await ramp({
      label: 'one node ramp',
      nodes: [h],
      rooms,
      seconds: o.rampSeconds,
      maxRooms: o.maxRooms,
      until,
      log,
    });
  } finally {
    await rooms.close().catch(() => undefined);
    await h.stop();
    dir.remove();
  }
}
