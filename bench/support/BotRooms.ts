// N rooms of K bots on a harness server: opens the rooms the way the desk does, starts the bots one
// after another (each room's last joiner is the "late joiner" whose join-to-first-frame is timed),
// and samples every receiver's decoded frame rate per remote video.
import { Bot } from './Bot.js';
import type { Harness } from './harness.js';
import { delay } from './harness.js';
import type { RoomTicket } from './harness-protocol.js';
import type { SyntheticMedia } from './SyntheticMedia.js';

export interface FrameSnapshot {
  readonly at: number;
  readonly frames: Map<string, number>;
}

export class BotRooms {
  readonly rooms: { ticket: RoomTicket; bots: Bot[] }[] = [];
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

  /** Adds a room and starts its bots in order; returns the last joiner's join-to-first-frame (ms). */
  async addRoom(timeoutMs = 30_000): Promise<number> {
    const ticket = await this.#h.room(this.size);
    const bots: Bot[] = [];
    this.rooms.push({ ticket, bots });
    for (const seat of ticket.seats) {
      const bot = new Bot({
        url: this.#h.url,
        sessionId: ticket.sessionId,
        token: seat.token,
        media: this.#media,
        ca: this.#h.ready.rootPem,
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

  async close(): Promise<void> {
    await Promise.all(this.bots.map((b) => b.close()));
    for (const r of this.rooms)
      await this.#h.request('endSession', { sessionId: r.ticket.sessionId }).catch(() => undefined);
    this.rooms.length = 0;
  }
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
