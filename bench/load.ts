// `npm run load`: the largest number of 3-person rooms (bots publishing 320x240@15 video and audio,
// recorder on, as the desk runs) that this machine sustains for a hold period with
//   - no frame-rate collapse: in every 10 s window, every receiver decodes every remote video at
//     ≥ 80 % of the 15 fps sent, and
//   - flat memory: the least-squares slope of the server's memory (PSS of Node + mediasoup workers
//     + ffmpeg) over the hold, after a 30 s warm-up, is at most 2 MiB per minute.
// Ramp: add one room at a time, each checked over a short window, until a check fails or the cap;
// then, on a fresh server, hold the last good count for the full period (5 min by default); if the
// hold fails, step down once and hold again. Everything is bounded: rooms ≤ --max-rooms, total time ≤ --max-minutes.
// Flags: --hold-seconds N (300), --ramp-seconds N (20), --max-rooms N (16), --max-minutes N (25).
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFileSync, mkdirSync } from 'node:fs';
import { BotRooms } from './support/BotRooms.js';
import { Harness, delay } from './support/harness.js';
import { children, pssBytes } from './support/proc.js';
import { slope } from './support/results.js';
import { SyntheticMedia } from './support/SyntheticMedia.js';
import { tempDir } from './support/temp.js';

const { values } = parseArgs({
  options: {
    'hold-seconds': { type: 'string', default: '300' },
    'ramp-seconds': { type: 'string', default: '20' },
    'max-rooms': { type: 'string', default: '16' },
    'max-minutes': { type: 'string', default: '25' },
  },
});
const holdSeconds = Number(values['hold-seconds']);
const rampSeconds = Number(values['ramp-seconds']);
const maxRooms = Number(values['max-rooms']);
const deadline = performance.now() + Number(values['max-minutes']) * 60_000;
const windowSeconds = 10;
const minFpsShare = 0.8;
const maxSlopeMiBPerMin = 2;
const fpsSent = 15;

interface Check {
  readonly rooms: number;
  readonly seconds: number;
  readonly worstFps: number;
  readonly slopeMiBPerMin: number | null;
  readonly pssMiB: number;
  readonly ok: boolean;
  readonly reason: string;
}

/** Server memory: PSS (shared library pages split, not counted once per ffmpeg) of Node, workers and ffmpeg. */
function serverMemory(h: Harness): number {
  const pids = [h.pid, ...children(h.pid).map((c) => c.pid)];
  return pids.reduce((sum, pid) => sum + pssBytes(pid), 0);
}

/** Watches the rooms for `seconds`: fps per 10 s window and RSS every 5 s. */
async function watch(h: Harness, rooms: BotRooms, seconds: number, memory: boolean): Promise<Check> {
  let worstFps = Infinity;
  const rss: { x: number; y: number }[] = [];
  const started = performance.now();
  let snap = rooms.snapshot();
  for (let t = 0; t < seconds; t += 5) {
    await delay(5000);
    rss.push({ x: (performance.now() - started) / 60_000, y: serverMemory(h) / 2 ** 20 });
    if ((t + 5) % windowSeconds === 0) {
      const next = rooms.snapshot();
      worstFps = Math.min(worstFps, ...rooms.fps(snap, next));
      snap = next;
    }
  }
  const warm = rss.filter((p) => p.x >= 0.5);
  const s = memory && warm.length >= 4 ? slope(warm) : null;
  const fpsOk = worstFps >= minFpsShare * fpsSent;
  const memOk = s === null || s <= maxSlopeMiBPerMin;
  const reason = !fpsOk
    ? `fps collapse: worst ${worstFps.toFixed(1)} < ${minFpsShare * fpsSent}`
    : !memOk
      ? `memory slope ${s!.toFixed(2)} MiB/min > ${maxSlopeMiBPerMin}`
      : 'ok';
  return {
    rooms: rooms.rooms.length,
    seconds,
    worstFps,
    slopeMiBPerMin: s,
    pssMiB: rss.at(-1)?.y ?? 0,
    ok: fpsOk && memOk,
    reason,
  };
}

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

/** Adds one room and waits until every bot decodes every remote video; false if it does not come up. */
async function grow(rooms: BotRooms): Promise<boolean> {
  try {
    await rooms.addRoom();
    await rooms.waitAllDecoding(20_000);
    return true;
  } catch (err) {
    say(`room ${rooms.rooms.length} did not come up: ${(err as Error).message}`);
    return false;
  }
}

const say = (s: string) => process.stdout.write(`${s}\n`);

async function main(): Promise<void> {
  const log: Check[] = [];
  // Ramp on one server until a short check fails (an overloaded run is not reused for the hold).
  let lastGood = 0;
  const ramp = await fresh();
  try {
    while (
      ramp.rooms.rooms.length < maxRooms &&
      performance.now() + (rampSeconds + holdSeconds * 2) * 1000 < deadline
    ) {
      if (!(await grow(ramp.rooms))) break;
      await delay(3000);
      const c = await watch(ramp.h, ramp.rooms, rampSeconds, false);
      log.push(c);
      say(
        `ramp: ${c.rooms} rooms, worst fps ${c.worstFps.toFixed(1)}, server PSS ${c.pssMiB.toFixed(0)} MiB: ${c.reason}`,
      );
      if (!c.ok) break;
      lastGood = c.rooms;
    }
  } finally {
    await ramp.close();
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
      const c = await watch(run.h, run.rooms, holdSeconds, true);
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

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`load: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
