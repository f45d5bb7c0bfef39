// N rooms of K bots on a harness server: opens the rooms the way the desk does, starts the bots one
// after another (each room's last joiner is the "late joiner" whose join-to-first-frame is timed),
// and samples every receiver's decoded frame rate per remote video. In a cluster each room can be
// homed on a node of its own and each seat connected to any node (piped to the home).
import { Bot } from './Bot.js';
import type { Harness } from './harness.js';
import { delay } from './harness.js';
import type { RoomTicket } from './harness-protocol.js';
import type { SyntheticMedia } from './SyntheticMedia.js';

export interface FrameSnapshot {
  readonly at: number;
  readonly frames: Map<string, number>;
}

/** Where a room lives in a cluster: the node it is opened and placed on, and the node of each seat. */
export interface RoomPlacement {
  readonly home: Harness;
  /** The node seat `i` connects to (default: the home). */
  readonly seatNode?: (seat: number) => Harness;
}

export class BotRooms {
  readonly rooms: { ticket: RoomTicket; bots: Bot[]; home: Harness }[] = [];
  readonly #h: Harness;
  readonly #media: SyntheticMedia;
  readonly size: number;
  readonly #simulcast: boolean;

  constructor(h: Harness, media: SyntheticMedia, size: number, o: { simulcast?: boolean } = {}) {
    this.#h = h;
    this.#media = media;
    this.size = size;
    this.#simulcast = o.simulcast ?? false;
  }

  get bots(): Bot[] {
    return this.rooms.flatMap((r) => r.bots);
  }

  /** Remote video streams every receiver should be decoding. */
  get expectedVideos(): number {
    return this.rooms.length * this.size * (this.size - 1);
  }

  /** Consumers the SFU forwards (audio and video). */
  get forwardedStreams(): number {
    return this.expectedVideos * 2;
  }

  /**
   * Adds a room and starts its bots in order; returns the last joiner's join-to-first-frame (ms).
   * With `placement` the room is opened and placed on its home node, each seat on its own node.
   */
  async addRoom(timeoutMs = 30_000, placement?: RoomPlacement): Promise<number> {
    const home = placement?.home ?? this.#h;
    const ticket = await home.room(this.size, placement !== undefined);
    const bots: Bot[] = [];
    this.rooms.push({ ticket, bots, home });
    for (const [i, seat] of ticket.seats.entries()) {
      const node = placement?.seatNode?.(i) ?? home;
      const bot = new Bot({
        url: node.url,
        sessionId: ticket.sessionId,
        token: seat.token,
        media: this.#media,
        ca: node.ready.rootPem,
        simulcast: this.#simulcast,
      });
      bots.push(bot);
      await bot.start();
    }
    const last = bots[bots.length - 1]!;
    await waitFor(
      () => allDecoding(last, this.size - 1),
      timeoutMs,
      `room ${ticket.sessionId}: late joiner got no video`,
    );
    return Math.max(...[...last.videos.values()].map((v) => v.firstFrameAt! - last.joinStartedAt));
  }

  /** Waits until every bot decodes every other participant's video. */
  async waitAllDecoding(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      () => this.bots.every((b) => allDecoding(b, this.size - 1)),
      timeoutMs,
      'not every bot decodes every remote video',
    );
  }

  snapshot(): FrameSnapshot {
    const frames = new Map<string, number>();
    this.bots.forEach((b, i) => {
      for (const [producerId, v] of b.videos) frames.set(`${i}/${producerId}`, v.frames);
    });
    return { at: performance.now(), frames };
  }

  /** Decoded fps of each expected (receiver, remote video) pair between two snapshots; missing pairs count 0. */
  fps(a: FrameSnapshot, b: FrameSnapshot): number[] {
    const seconds = (b.at - a.at) / 1000;
    const rates = [...b.frames].map(([key, n]) => (n - (a.frames.get(key) ?? n)) / seconds);
    while (rates.length < this.expectedVideos) rates.push(0);
    return rates;
  }

  /** Takes the last room out (its bots leave, its session ends): back to a count that held. */
  async removeLast(): Promise<void> {
    const last = this.rooms.pop();
    if (last) await closeRoom(last);
  }

  async close(): Promise<void> {
    await Promise.all(this.rooms.map(closeRoom));
    this.rooms.length = 0;
  }
}

async function closeRoom(r: { ticket: RoomTicket; bots: Bot[]; home: Harness }): Promise<void> {
  await Promise.all(r.bots.map((b) => b.close()));
  await r.home.request('endSession', { sessionId: r.ticket.sessionId }).catch(() => undefined);
}

function allDecoding(bot: Bot, remotes: number): boolean {
  const videos = [...bot.videos.values()];
  return videos.length >= remotes && videos.every((v) => v.firstFrameAt !== null);
}

export async function waitFor(ok: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!ok()) {
    if (performance.now() > until) throw new Error(`timed out: ${what}`);
    await delay(50);
  }
}
