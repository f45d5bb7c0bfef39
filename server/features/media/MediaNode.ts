// This process as one media node of the cluster: while it runs it sends a heartbeat with its load
// (the rooms it hosts) and renews the placement of each of its rooms; a room that opens here claims
// its session, one that closes releases it. Satellite rooms (cascade/) are not placed: their
// session's home is elsewhere.
import type { MediaService } from './MediaService.js';
import type { MediaPlacement } from './MediaPlacement.js';
import type { Room } from './Room.js';

export class MediaNode {
  readonly id: string;
  readonly #placement: MediaPlacement;
  readonly #media: MediaService;
  readonly #url: () => string;
  readonly #sites: readonly string[];
  readonly #log: (err: unknown) => void;
  /** The room of each session hosted here (a rebuilt room replaces its dead predecessor). */
  readonly #rooms = new Map<string, Room>();
  #timer: NodeJS.Timeout | undefined;
  #detach: (() => void) | undefined;

  constructor(opts: {
    id: string;
    placement: MediaPlacement;
    media: MediaService;
    url: () => string;
    /** Sites whose participants this node serves first (config media.sites). */
    sites?: readonly string[];
    log: (err: unknown) => void;
  }) {
    this.id = opts.id;
    this.#placement = opts.placement;
    this.#media = opts.media;
    this.#url = opts.url;
    this.#sites = opts.sites ?? [];
    this.#log = opts.log;
  }

  /** Joins the cluster now and beats every third of the node TTL (two lost beats are survived). */
  async start(): Promise<void> {
    const onRoom = (room: Room) => {
      // A satellite serves this node's participants of a session whose home is elsewhere.
      if (this.#media.isSatellite(room)) return;
      this.#rooms.set(room.sessionId, room);
      void this.#placement.claim(room.sessionId, this.id).catch(this.#log);
      room.once('closed', () => {
        if (this.#rooms.get(room.sessionId) !== room) return;
        this.#rooms.delete(room.sessionId);
        void this.#placement.release(room.sessionId, this.id).catch(this.#log);
      });
    };
    this.#media.on('room', onRoom);
    this.#detach = () => this.#media.off('room', onRoom);
    await this.beat();
    this.#timer = setInterval(() => void this.beat().catch(this.#log), this.#placement.times.nodeTtlMs / 3);
    this.#timer.unref();
  }

  /** One heartbeat: the load, and every hosted room's placement renewed (claimed again if it lapsed). */
  async beat(): Promise<void> {
    await this.#placement.heartbeat({ id: this.id, url: this.#url(), load: this.#rooms.size, sites: this.#sites });
    for (const sessionId of this.#rooms.keys()) {
      if (await this.#placement.renew(sessionId, this.id)) continue;
      // Placed elsewhere meanwhile (this node was taken for dead): moving the room is the cascade's job.
      if ((await this.#placement.placementOf(sessionId)) === undefined) await this.#placement.claim(sessionId, this.id);
    }
  }

  get load(): number {
    return this.#rooms.size;
  }

  /** Leaves the cluster (its rooms' placements lapse unless another node claims them first). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#detach?.();
    await this.#placement.leave(this.id);
  }
}
