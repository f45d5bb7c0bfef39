// The media plane as the rest of the server sees it: rooms per session on a worker pool, consent
// remembered per participant, rebuild after a worker death, and the recorder hooked to each room.
import { EventEmitter } from 'node:events';
import type { ms } from './engine.js';
import type { PeerIdentity } from './Peer.js';
import { Room } from './Room.js';
import { Probe } from './Probe.js';
import { mediaCodecs } from './engine.js';
import { WorkerPool, type WorkerPoolOptions } from './WorkerPool.js';
import { cameraCapture, type CameraCapture, type RecordingStateView } from '../../../protocol/media.js';

/** What the recorder must offer the media service (see Recorder / RecordingService). */
export interface RoomRecorder {
  attach(room: Room): void;
  state(sessionId: string): Promise<RecordingStateView>;
  finish(sessionId: string): Promise<unknown>;
  close(): Promise<void>;
  on(event: 'state', listener: (s: RecordingStateView) => void): unknown;
}

/** Where joins, leaves and consents are written (the sessions feature's presence log). */
export interface PresenceSink {
  record(sessionId: string, participantId: string, event: 'joined' | 'left' | 'consented'): Promise<void>;
}

export interface MediaServiceOptions extends WorkerPoolOptions {
  /** Addresses WebRTC transports listen on; `announcedIp` is what clients are told to send to. */
  readonly listenIps: ms.TransportListenIp[];
  readonly recorder?: RoomRecorder;
  readonly presence?: PresenceSink;
  readonly connectTimeoutMs?: number;
  /** kbit/s per site id: its participants' send and receive cap (config media.siteBitrateCaps). */
  readonly siteBitrateCaps?: Readonly<Record<string, number>>;
  /** A receiver's estimate below this (kbit/s) pauses its video (config media.audioOnlyFloorKbps). */
  readonly audioOnlyFloorKbps?: number;
  /** What clients capture (config media.camera); cameraCapture when absent. */
  readonly camera?: CameraCapture;
  /** How often each room samples its links (quality, audio-only); 1 s by default. */
  readonly linkIntervalMs?: number;
}

/**
 * How rooms join the cluster's cascade (cascade/Cascade.ts): which node holds a session's home
 * room, and the pipe from a satellite room here to it. Absent on a single node: every room is home.
 */
export interface RoomCascade {
  /** The node holding the session's home room; null: this node. */
  homeOf(sessionId: string): Promise<string | null>;
  /** Pipes a new satellite room to its home room; rejects when the home does not answer. */
  link(room: Room, home: string): Promise<void>;
}

type MediaServiceEvents = {
  /** A room (new, or rebuilt after a worker death) is ready: signalling wires its events. */
  room: [Room];
  /** The room was rebuilt on a fresh worker: its clients must rejoin. */
  rebuild: [sessionId: string];
  recordingState: [RecordingStateView];
  /** The session ended here (endSession): the cascade ends it on the other nodes too. */
  ended: [sessionId: string];
};

export class MediaService extends EventEmitter<MediaServiceEvents> {
  readonly #pool: WorkerPool;
  readonly #options: MediaServiceOptions;
  readonly #rooms = new Map<string, Promise<Room>>();
  readonly #consents = new Map<string, Set<string>>();
  #probeRouter: Promise<ms.Router> | null = null;
  #cascade: RoomCascade | undefined;
  /** Rooms piped to a home room on another node: not recorded, not placed here. */
  readonly #satellites = new WeakSet<Room>();
  #stopped = false;

  private constructor(pool: WorkerPool, options: MediaServiceOptions) {
    super();
    this.#pool = pool;
    this.#options = options;
    options.recorder?.on('state', (s) => this.emit('recordingState', s));
  }

  static async start(options: MediaServiceOptions): Promise<MediaService> {
    const pool = await WorkerPool.create(options);
    return new MediaService(pool, options);
  }

  get pool(): WorkerPool {
    return this.#pool;
  }

  /** The session's room, created on first use. Concurrent callers share one creation. */
  room(sessionId: string): Promise<Room> {
    let room = this.#rooms.get(sessionId);
    if (!room) {
      room = this.#createRoom(sessionId);
      this.#rooms.set(sessionId, room);
      room.catch(() => this.#rooms.delete(sessionId));
    }
    return room;
  }

  async existingRoom(sessionId: string): Promise<Room | undefined> {
    return this.#rooms.get(sessionId);
  }

  /** From now on rooms are placed in the cluster: home here, or satellites of a home elsewhere. */
  useCascade(cascade: RoomCascade): void {
    this.#cascade = cascade;
  }

  isSatellite(room: Room): boolean {
    return this.#satellites.has(room);
  }

  /**
   * The room lost its link (its home node is gone): it is replaced by one placed anew, and its
   * clients are told to rebuild, as after a worker death.
   */
  async relocate(sessionId: string, room: Room): Promise<void> {
    if (this.#stopped || (await this.#rooms.get(sessionId)?.catch(() => undefined)) !== room) return;
    this.#rooms.delete(sessionId);
    room.close();
    await this.room(sessionId).catch(() => undefined /* the clients' rejoin tries again */);
    this.emit('rebuild', sessionId);
  }

  /** Closes a room nobody here uses any more (a satellite whose participants all left). */
  async dropRoom(sessionId: string, room: Room): Promise<void> {
    if ((await this.#rooms.get(sessionId)?.catch(() => undefined)) === room) this.#rooms.delete(sessionId);
    room.close();
  }

  async join(sessionId: string, identity: PeerIdentity): Promise<Room> {
    const room = await this.room(sessionId);
    await room.join(identity, this.hasConsented(sessionId, identity.id));
    return room;
  }

  hasConsented(sessionId: string, peerId: string): boolean {
    return this.#consents.get(sessionId)?.has(peerId) ?? false;
  }

  /** Consent outlives reconnects and rebuilds: it is asked once per participant and session. */
  async consent(sessionId: string, peerId: string): Promise<void> {
    let set = this.#consents.get(sessionId);
    if (!set) this.#consents.set(sessionId, (set = new Set()));
    if (!set.has(peerId)) this.#presence(sessionId, peerId, 'consented');
    set.add(peerId);
    (await this.room(sessionId)).consent(peerId);
  }

  get camera(): CameraCapture {
    return this.#options.camera ?? cameraCapture;
  }

  /** The cap (bit/s) of a participant's site, null when the site has none (or it has no site). */
  capOf(identity: PeerIdentity): number | null {
    const kbps = identity.siteId ? this.#options.siteBitrateCaps?.[identity.siteId] : undefined;
    return kbps === undefined ? null : kbps * 1000;
  }

  /** A pre-join bandwidth probe on a router of its own (created on first use, kept for the next ones). */
  async openProbe(): Promise<{ probe: Probe; rtpCapabilities: ms.RtpCapabilities }> {
    this.#probeRouter ??= this.#pool.pick().then((w) => w.createRouter({ mediaCodecs }));
    const router = await this.#probeRouter.catch((err: unknown) => {
      this.#probeRouter = null;
      throw err;
    });
    if (router.closed) {
      this.#probeRouter = null;
      return this.openProbe();
    }
    return { probe: await Probe.open(router, this.#options.listenIps), rtpCapabilities: router.rtpCapabilities };
  }

  async recordingState(sessionId: string): Promise<RecordingStateView> {
    return (
      (await this.#options.recorder?.state(sessionId)) ?? { sessionId, state: 'idle', startedAt: null, segmentCount: 0 }
    );
  }

  /** Ends the live room and seals the recording (if any). */
  async endSession(sessionId: string): Promise<unknown> {
    const room = await this.#rooms.get(sessionId)?.catch(() => undefined);
    this.#rooms.delete(sessionId);
    this.#consents.delete(sessionId);
    this.emit('ended', sessionId);
    // A satellite records nothing: the home, told by the cascade, seals the recording (sealing it
    // from here too would race the home's last segments).
    const result = room && this.#satellites.has(room) ? null : await this.#options.recorder?.finish(sessionId);
    room?.close();
    return result;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const rooms = await Promise.allSettled([...this.#rooms.values()]);
    this.#rooms.clear();
    await this.#options.recorder?.close();
    void this.#probeRouter?.then((r) => r.close()).catch(() => undefined);
    for (const r of rooms) if (r.status === 'fulfilled') r.value.close();
    this.#pool.close();
  }

  async #createRoom(sessionId: string): Promise<Room> {
    const home = (await this.#cascade?.homeOf(sessionId)) ?? null;
    const worker = await this.#pool.pick();
    const room = await Room.create({
      sessionId,
      worker,
      listenIps: this.#options.listenIps,
      connectTimeoutMs: this.#options.connectTimeoutMs,
      capOf: (identity) => this.capOf(identity),
      camera: this.camera,
      link: {
        intervalMs: this.#options.linkIntervalMs,
        audioOnlyFloorBps: (this.#options.audioOnlyFloorKbps ?? 150) * 1000,
      },
    });
    room.once('closed', () => this.#pool.release(worker));
    // A remote participant's presence is written by the node it is connected to.
    room.on('peerJoined', (p) => room.isRemote(p.id) || this.#presence(sessionId, p.id, 'joined'));
    room.on('peerLeft', (peerId) => room.isRemote(peerId) || this.#presence(sessionId, peerId, 'left'));
    room.once('workerDied', () => void this.#rebuild(sessionId, room));
    if (home !== null) this.#satellites.add(room);
    // The recorder runs where the home room is: every participant's media is piped there.
    else this.#options.recorder?.attach(room);
    this.emit('room', room);
    if (home !== null)
      await this.#cascade?.link(room, home).catch((err: unknown) => {
        room.close();
        throw err;
      });
    return room;
  }

  /** A presence that cannot be written only makes later preconditions fail: never break the room for it. */
  #presence(sessionId: string, peerId: string, event: 'joined' | 'left' | 'consented'): void {
    // A write refused, e.g. the session row is gone (deleted record): nothing to attest any more.
    this.#options.presence?.record(sessionId, peerId, event).catch(() => undefined);
  }

  async #rebuild(sessionId: string, dead: Room): Promise<void> {
    if (this.#stopped || (await this.#rooms.get(sessionId)?.catch(() => undefined)) !== dead) return;
    this.#rooms.delete(sessionId);
    await this.room(sessionId);
    this.emit('rebuild', sessionId);
  }
}
