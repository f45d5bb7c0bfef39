// `npm run load`: the largest number of 3-person rooms (bots publishing 320x240@15 video and audio,
// recorder on, as the desk runs) that this machine sustains for a hold period with
//   - no frame-rate collapse: in every 10 s window, every receiver decodes every remote video at
//     ≥ 80 % of the 15 fps sent, and
//   - flat memory: the least-squares slope of the server's memory (PSS of Node + mediasoup workers
//     + ffmpeg) over the hold, after a 30 s warm-up, is at most 2 MiB per minute.
// Ramp: add one room at a time, each checked over a short window, until a check fails or the cap;
// then, on a fresh server, hold the last good count for the full period (5 min by default); if the
// hold fails, step down once and hold again. Everything is bounded: rooms ≤ --max-rooms, total time ≤ --max-minutes.
// Flags: --hold-seconds N (300), --ramp-seconds N (20), --max-rooms N (16), --max-minutes N (25);
// --cluster: rooms per media node of a two-node cluster and the cost of a pipe instead (load-cluster.ts).
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFileSync, mkdirSync } from 'node:fs';
import { loadCluster } from './load-cluster.js';
import { BotRooms } from './support/BotRooms.js';
import { Harness, delay } from './support/harness.js';
import { fpsSent, grow, ramp, say, watch, type Check } from './support/load-check.js';
import { SyntheticMedia } from './support/SyntheticMedia.js';
import { tempDir } from './support/temp.js';

const { values } = parseArgs({
  options: {
    'hold-seconds': { type: 'string', default: '300' },
    'ramp-seconds': { type: 'string', default: '20' },
    'max-rooms': { type: 'string', default: '16' },
    'max-minutes': { type: 'string', default: '25' },
    cluster: { type: 'boolean', default: false },
  },
});
const holdSeconds = Number(values['hold-seconds']);
const rampSeconds = Number(values['ramp-seconds']);
const maxRooms = Number(values['max-rooms']);
const deadline = performance.now() + Number(values['max-minutes']) * 60_000;
/** A fresh server, media source and bot rooms; torn down by the returned close(). */
async function fresh(): Promise<{ h: Harness; rooms: BotRooms; close(): Promise<void> }> {
  const dir = tempDir('tongban-load-');
  const h = await Harness.start({ dataDir: dir.path, record: true, workers: cpus().length });
  const media = new SyntheticMedia({ fps: fpsSent });
  const rooms = new BotRooms(h, media, 3);
  return {
    h,
    rooms,
    async close() {
      await rooms.close().catch(() => undefined);
      media.stop();
      await h.stop();
      dir.remove();
    },
  };
}

async function main(): Promise<void> {
  const log: Check[] = [];
  // Ramp on one server until a short check fails (an overloaded run is not reused for the hold).
  const first = await fresh();
  let lastGood: number;
  try {
    lastGood = await ramp({
      label: 'ramp',
      nodes: [first.h],
      rooms: first.rooms,
      seconds: rampSeconds,
      maxRooms,
      until: deadline - holdSeconds * 2 * 1000,
      log,
    });
  } finally {
    await first.close();
  }
  // Hold the last good count on a fresh server for the full period; one step down if it fails.
  let sustained = 0;
  let held: Check | undefined;
  for (let attempt = 0; attempt < 2 && lastGood > 0 && performance.now() + holdSeconds * 1000 < deadline; attempt++) {
    const run = await fresh();
    try {
      let up = true;
      while (up && run.rooms.rooms.length < lastGood) up = await grow(run.rooms);
      await delay(5000);
      say(`hold: ${run.rooms.rooms.length} rooms for ${holdSeconds} s…`);
      const c = await watch([run.h], run.rooms, holdSeconds, true);
      log.push(c);
      say(
        `hold: ${c.rooms} rooms, worst fps ${c.worstFps.toFixed(1)}, memory slope ${c.slopeMiBPerMin?.toFixed(2)} MiB/min, PSS ${c.pssMiB.toFixed(0)} MiB: ${c.reason}`,
      );
      if (up && c.ok) {
        sustained = lastGood;
        held = c;
        break;
      }
    } finally {
      await run.close();
    }
    lastGood -= 1;
  }
  const result = {
    at: new Date().toISOString(),
    cores: cpus().length,
    holdSeconds,
    rampSeconds,
    maxRooms,
    sustainedRooms: sustained,
    held,
    log,
  };
  const out = fileURLToPath(
    new URL(holdSeconds >= 300 ? './results/load.json' : './results/load-short.json', import.meta.url),
  );
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
  say(`sustained: ${sustained} rooms of 3 for ${holdSeconds} s (cap ${maxRooms}); wrote ${out}`);
}

(values.cluster ? loadCluster({ rampSeconds, holdSeconds, maxRooms, deadline }) : main()).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`load: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
