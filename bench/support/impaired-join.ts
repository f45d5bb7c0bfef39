// Join → first frame of a late joiner through the network lab, on a clean link and on a weak one
// (5 % loss each way, 100 ms each way = 200 ms RTT), alternated round by round on the same server
// so that both figures share the machine's load. Each round is a fresh room of two bots: the first
// publishes, the second is timed from its socket connect to its first decoded remote frame.
import { BotRooms } from './BotRooms.js';
import type { Harness } from './harness.js';
import type { Impairment, NetLab } from './netlab.js';
import type { SyntheticMedia } from './SyntheticMedia.js';

export const weakLink = { loss: 0.05, delayMs: 100 } as const satisfies Impairment;
export const cleanLink = { loss: 0, delayMs: 0, outage: false } as const satisfies Impairment;

export interface JoinTimes {
  readonly clean: number[];
  readonly weak: number[];
  /** Share of frames the impairer dropped on the weak link (both directions). */
  readonly measuredLoss: number;
  /** Joins that never showed a frame (link and reason): counted, not hidden. */
  readonly failures: string[];
}

export async function timedJoins(h: Harness, media: SyntheticMedia, lab: NetLab, rounds: number): Promise<JoinTimes> {
  const clean: number[] = [];
  const weak: number[] = [];
  let lost = 0;
  let seen = 0;
  const failures: string[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const link of [cleanLink, weakLink]) {
      const before = await lab.impair(link);
      const rooms = new BotRooms(h, media, 2);
      try {
        const ms = await rooms.addRoom(60_000);
        (link === weakLink ? weak : clean).push(ms);
      } catch (err) {
        failures.push(`${link === weakLink ? 'weak' : 'clean'}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        await rooms.close().catch(() => undefined);
      }
      if (link === weakLink) {
        const after = (await lab.report()).stats;
        for (const d of ['up', 'down'] as const) {
          const dl = after[d].lost - before.stats[d].lost;
          lost += dl;
          seen +=
            dl + after[d].forwarded - before.stats[d].forwarded + after[d].queueDrops - before.stats[d].queueDrops;
        }
      }
    }
  }
  await lab.impair(cleanLink);
  return { clean, weak, measuredLoss: seen ? lost / seen : Number.NaN, failures };
}
