// The checks of `npm run load` (one node or a cluster): while rooms of bots run, every receiver must
// decode every remote video at ≥ 80 % of the 15 fps sent in each 10 s window, and, over a hold, the
// least-squares slope of the servers' memory (PSS of Node + mediasoup workers + ffmpeg) after a 30 s
// warm-up must stay at most 2 MiB per minute.
import type { BotRooms, RoomPlacement } from './BotRooms.js';
import { delay, type Harness } from './harness.js';
import { children, pssBytes } from './proc.js';
import { slope } from './results.js';

export const fpsSent = 15;
const windowSeconds = 10;
const minFpsShare = 0.8;
const maxSlopeMiBPerMin = 2;

export interface Check {
  readonly rooms: number;
  readonly seconds: number;
  readonly worstFps: number;
  readonly slopeMiBPerMin: number | null;
  readonly pssMiB: number;
  /** Times the server put a receiver in audio-only mode (its bandwidth estimate under the floor) during the check. */
  readonly audioOnlyEngaged: number;
  readonly ok: boolean;
  readonly reason: string;
}

/** Server memory: PSS (shared library pages split, not counted once per ffmpeg) of Node, workers and ffmpeg. */
function serverMemory(nodes: readonly Harness[]): number {
  const pids = nodes.flatMap((h) => [h.pid, ...children(h.pid).map((c) => c.pid)]);
  return pids.reduce((sum, pid) => sum + pssBytes(pid), 0);
}

/** Watches the rooms for `seconds`: fps per 10 s window and the nodes' memory every 5 s. */
export async function watch(
  nodes: readonly Harness[],
  rooms: BotRooms,
  seconds: number,
  memory: boolean,
): Promise<Check> {
  let worstFps = Infinity;
  const rss: { x: number; y: number }[] = [];
  const started = performance.now();
  let snap = rooms.snapshot();
  for (let t = 0; t < seconds; t += 5) {
    await delay(5000);
    rss.push({ x: (performance.now() - started) / 60_000, y: serverMemory(nodes) / 2 ** 20 });
    if ((t + 5) % windowSeconds === 0) {
      const next = rooms.snapshot();
      worstFps = Math.min(worstFps, ...rooms.fps(snap, next));
      snap = next;
    }
  }
  const audioOnlyEngaged = rooms.bots.flatMap((b) => b.audioOnly).filter((e) => e.active && e.at >= started).length;
  const warm = rss.filter((p) => p.x >= 0.5);
  const s = memory && warm.length >= 4 ? slope(warm) : null;
  const fpsOk = worstFps >= minFpsShare * fpsSent;
  const memOk = s === null || s <= maxSlopeMiBPerMin;
  const reason = !fpsOk
    ? `fps collapse: worst ${worstFps.toFixed(1)} < ${minFpsShare * fpsSent}` +
      (audioOnlyEngaged > 0 ? ` (audio-only engaged ${audioOnlyEngaged}×)` : '')
    : !memOk
      ? `memory slope ${s!.toFixed(2)} MiB/min > ${maxSlopeMiBPerMin}`
      : 'ok';
  return {
    rooms: rooms.rooms.length,
    seconds,
    worstFps,
    slopeMiBPerMin: s,
    pssMiB: rss.at(-1)?.y ?? 0,
    audioOnlyEngaged,
    ok: fpsOk && memOk,
    reason,
  };
}

/** Adds one room and waits until every bot decodes every remote video; false if it does not come up. */
export async function grow(rooms: BotRooms, placement?: RoomPlacement): Promise<boolean> {
  try {
    await rooms.addRoom(30_000, placement);
    await rooms.waitAllDecoding(20_000);
    return true;
  } catch (err) {
    say(`room ${rooms.rooms.length} did not come up: ${(err as Error).message}`);
    return false;
  }
}

export const say = (s: string) => process.stdout.write(`${s}\n`);

/**
 * Adds one room at a time (`placement(i)` says where room i lives), each checked over `seconds`,
 * until a room does not come up, a check fails, `maxRooms` or the time left (`until`, a
 * performance.now() instant). Returns the last count that passed; the checks go into `log`.
 */
export async function ramp(o: {
  readonly label: string;
  readonly nodes: readonly Harness[];
  readonly rooms: BotRooms;
  readonly seconds: number;
  readonly maxRooms: number;
  readonly until: number;
  readonly placement?: (room: number) => RoomPlacement;
  readonly log: Check[];
}): Promise<number> {
  let lastGood = 0;
  while (o.rooms.rooms.length < o.maxRooms && performance.now() + o.seconds * 1000 < o.until) {
    if (!(await grow(o.rooms, o.placement?.(o.rooms.rooms.length)))) break;
    await delay(3000);
    const c = await watch(o.nodes, o.rooms, o.seconds, false);
    o.log.push(c);
    say(
      `${o.label}: ${c.rooms} rooms, worst fps ${c.worstFps.toFixed(1)}, server PSS ${c.pssMiB.toFixed(0)} MiB: ${c.reason}`,
    );
    if (!c.ok) break;
    lastGood = c.rooms;
  }
  return lastGood;
}
