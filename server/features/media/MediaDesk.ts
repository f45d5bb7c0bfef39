// The seats of this node's rooms and the requests that act on them. A request comes from a socket
// connected here (signaling.ts) or relayed by an API node for a socket connected there
// (relay/desk-endpoint.ts); either way the desk knows the socket by its id, and the room's
// notifications go to the seated sockets: straight to a local one, through the socket.io Redis
// adapter to a relayed one. A seat is named by who sits in it, so a reconnect finds its old seat.
import { BadRequestError, ConflictError, ForbiddenError } from '../../kernel/errors.js';
import { actorOf, type Principal } from '../../kernel/principal.js';
import { can } from '../../kernel/policy.js';
import type { MediaService } from './MediaService.js';
import type { PeerIdentity } from './Peer.js';
import type { Room } from './Room.js';
import type { Probe } from './Probe.js';
import { NotJoinedError, ScreenShareForbiddenError } from './errors.js';
import { engineParameters, wireParameters, type ms } from './engine.js';
import type { MediaNotification, MediaRequest, MediaResponses, RecordingStateView } from '../../../protocol/media.js';
import { mediaRoom, type ServerToClientEvents } from '../../../protocol/socket.js';
import type { TongbanServer } from '../../realtime/RealtimeServer.js';

export interface MediaDeskDeps {
  readonly media: MediaService;
  /** Throws (ForbiddenError/NotFoundError) unless the principal is a participant of the session. */
  readonly canJoin: (principal: Principal, sessionId: string) => unknown;
  /** Told once per consent (e.g. to write it to the audit log). */
  readonly onConsent?: (principal: Principal, sessionId: string) => Promise<unknown>;
  /** How long a dropped connection keeps its seat before the peer leaves (a network blip). */
  readonly disconnectGraceMs?: number;
}

/** Who sends a request: a socket, its principal, and the API node relaying it (null: connected here). */
export interface Caller {
  readonly socketId: string;
  readonly principal: Principal;
  readonly via: string | null;
}

interface Seat {
  readonly sessionId: string;
  readonly peerId: string;
}

interface Holder {
  readonly via: string | null;
  seat?: Seat;
  probe?: Probe;
}

type ProbeMethod = 'probeStart' | 'probeConnect' | 'probeProduce' | 'probeResult';

/** Peers are named by who they are, so a reconnect finds its old seat. Auditors never join live. */
function peerIdentity(principal: Principal): PeerIdentity {
  if (principal.kind === 'guest') {
    return { id: actorOf(principal), displayName: principal.displayName, role: 'applicant' };
  }
  if (principal.role === 'auditor') throw new ForbiddenError('auditors do not join live sessions');
  return {
    id: `user:${principal.userId}`,
    displayName: principal.displayName,
    role: principal.role,
    siteId: principal.siteId,
  };
}

export class MediaDesk {
  readonly #deps: MediaDeskDeps;
  readonly #io: TongbanServer;
  /** `${sessionId}\n${peerId}` → the socket holding the seat now. */
  readonly #seats = new Map<string, string>();
  readonly #holders = new Map<string, Holder>();
  readonly #detach: () => void;

  constructor(deps: MediaDeskDeps, io: TongbanServer) {
    this.#deps = deps;
    this.#io = io;
    const onRoom = (room: Room) => this.#forwardRoomEvents(room);
    const onRebuild = (sessionId: string) => this.#emit(this.#seated(sessionId), 'media:rebuild', { sessionId });
    // Only the home's recorder reports: every node's sockets in the session hear it.
    const onRecordingState = (s: RecordingStateView) => io.to(mediaRoom(s.sessionId)).emit('recording:state', s);
    deps.media.on('room', onRoom);
    deps.media.on('rebuild', onRebuild);
    deps.media.on('recordingState', onRecordingState);
    this.#detach = () => {
      deps.media.off('room', onRoom);
      deps.media.off('rebuild', onRebuild);
      deps.media.off('recordingState', onRecordingState);
    };
  }

  close(): void {
    this.#detach();
    for (const h of this.#holders.values()) h.probe?.close();
    this.#holders.clear();
  }

  async request(caller: Caller, req: MediaRequest): Promise<MediaResponses[MediaRequest['method']]> {
    let holder = this.#holders.get(caller.socketId);
    if (!holder) this.#holders.set(caller.socketId, (holder = { via: caller.via }));
    if (req.method === 'join') return this.#join(caller, holder, req.data.sessionId);
    if (isProbe(req)) return this.#probe(caller, holder, req);
    const seat = holder.seat;
    if (!seat || this.#seats.get(seatKey(seat)) !== caller.socketId) throw new NotJoinedError();
    const room = await this.#deps.media.room(seat.sessionId);
    const { peerId } = seat;
    switch (req.method) {
      case 'consent':
        if (!this.#deps.media.hasConsented(seat.sessionId, peerId))
          await this.#deps.onConsent?.(caller.principal, seat.sessionId);
        await this.#deps.media.consent(seat.sessionId, peerId);
        return room.peer(peerId);
      case 'createTransport':
        return room.createTransport(peerId, req.data.direction);
      case 'connectTransport':
        await room.connectTransport(
          peerId,
          req.data.transportId,
          engineParameters<ms.DtlsParameters>(req.data.dtlsParameters),
        );
        return {};
      case 'produce':
        // Joining already proved the seat is a participant's; sharing a screen also needs a clerk's role.
        if (req.data.source === 'screen' && !can(caller.principal, 'media.screen_share', { participant: true }))
          throw new ScreenShareForbiddenError();
        return room.produce(
          peerId,
          req.data.transportId,
          req.data.kind,
          engineParameters<ms.RtpParameters>(req.data.rtpParameters),
          req.data.source,
        );
      case 'consume':
        return room.consume(
          peerId,
          req.data.transportId,
          req.data.producerId,
          engineParameters<ms.RtpCapabilities>(req.data.rtpCapabilities),
        );
      case 'resumeConsumer':
        await room.resumeConsumer(peerId, req.data.consumerId);
        return {};
      case 'setPaused':
        return room.setProducerPaused(peerId, req.data.producerId, req.data.paused);
      case 'closeProducer':
        await room.closeProducer(peerId, req.data.producerId);
        return {};
      case 'setTileSize':
        return { preferredSpatialLayer: await room.setTileSize(peerId, req.data.consumerId, req.data.height) };
      case 'stats':
        return room.stats(peerId);
      case 'leave':
        this.#seats.delete(seatKey(seat));
        holder.seat = undefined;
        this.#leaveSocketRoom(caller.socketId, seat.sessionId);
        room.leave(peerId);
        return {};
      default:
        return assertUnreachable(req);
    }
  }

  /** The socket is gone: its probe closes; its seat waits out the grace time for a reconnect, then its peer leaves. */
  disconnected(socketId: string): void {
    const holder = this.#holders.get(socketId);
    if (!holder) return;
    this.#holders.delete(socketId);
    holder.probe?.close();
    const seat = holder.seat;
    if (!seat) return;
    setTimeout(() => {
      if (this.#seats.get(seatKey(seat)) !== socketId) return;
      this.#seats.delete(seatKey(seat));
      void this.#deps.media.existingRoom(seat.sessionId).then((room) => room?.leave(seat.peerId));
    }, this.#deps.disconnectGraceMs ?? 10_000).unref();
  }

  /** The sockets each API node relays for (their liveness is checked with that node). */
  relayed(): Map<string, string[]> {
    const byNode = new Map<string, string[]>();
    for (const [socketId, h] of this.#holders) {
      if (h.via === null) continue;
      const list = byNode.get(h.via) ?? [];
      list.push(socketId);
      byNode.set(h.via, list);
    }
    return byNode;
  }

  /**
   * The pre-join probe needs no seat (it comes before consent): one probe per connection, a fresh
   * one replacing the last. Anyone signed in who may open a room may probe (auditors never join live).
   */
  async #probe(
    caller: Caller,
    holder: Holder,
    req: Extract<MediaRequest, { method: ProbeMethod }>,
  ): Promise<MediaResponses[ProbeMethod]> {
    peerIdentity(caller.principal);
    if (req.method === 'probeStart') {
      holder.probe?.close();
      const { probe, rtpCapabilities } = await this.#deps.media.openProbe();
      holder.probe = probe;
      return { routerRtpCapabilities: wireParameters(rtpCapabilities), transport: probe.params };
    }
    const current = holder.probe;
    if (!current || current.closed) throw new ConflictError('start a probe first', 'invalid_state');
    switch (req.method) {
      case 'probeConnect':
        await current.connect(engineParameters<ms.DtlsParameters>(req.data.dtlsParameters));
        return {};
      case 'probeProduce':
        return {
          id: await current.produce(engineParameters<ms.SctpStreamParameters>(req.data.sctpStreamParameters)),
        };
      case 'probeResult': {
        const result = await current.result();
        current.close();
        return result;
      }
      default:
        return assertUnreachable(req);
    }
  }

  async #join(caller: Caller, holder: Holder, sessionId: string): Promise<MediaResponses['join']> {
    const identity = peerIdentity(caller.principal);
    await this.#deps.canJoin(caller.principal, sessionId);
    if (holder.seat && holder.seat.sessionId !== sessionId)
      throw new BadRequestError('leave the current session first');
    const seat: Seat = { sessionId, peerId: identity.id };
    const old = this.#seats.get(seatKey(seat));
    if (old !== undefined && old !== caller.socketId) {
      this.#emit([old], 'media:replaced', { sessionId });
      const oldHolder = this.#holders.get(old);
      if (oldHolder) oldHolder.seat = undefined;
      this.#leaveSocketRoom(old, sessionId);
    }
    this.#seats.set(seatKey(seat), caller.socketId);
    holder.seat = seat;
    this.#enterSocketRoom(caller.socketId, seat);
    const room = await this.#deps.media.join(sessionId, identity);
    const media = this.#deps.media;
    return {
      peerId: identity.id,
      routerRtpCapabilities: wireParameters(room.rtpCapabilities),
      peers: room.peers(),
      producers: room.producers().filter((p) => p.peerId !== identity.id),
      consented: media.hasConsented(sessionId, identity.id),
      recording: await media.recordingState(sessionId),
      sendCapBps: media.capOf(identity),
      camera: media.camera,
    };
  }

  /** The socket sits in the session: in its socket.io room (where the recording's state is told), wherever it is connected. */
  #enterSocketRoom(socketId: string, seat: Seat): void {
    const local = this.#io.sockets.sockets.get(socketId);
    if (local) {
      local.data.mediaSeat = seat;
      void local.join(mediaRoom(seat.sessionId));
    } else this.#io.in(socketId).socketsJoin(mediaRoom(seat.sessionId));
  }

  /** The socket no longer sits in the session (replaced or left): off its socket.io room, wherever it is connected. */
  #leaveSocketRoom(socketId: string, sessionId: string): void {
    const local = this.#io.sockets.sockets.get(socketId);
    if (local) {
      local.data.mediaSeat = undefined;
      void local.leave(mediaRoom(sessionId));
    } else this.#io.in(socketId).socketsLeave(mediaRoom(sessionId));
  }

  #seated(sessionId: string): string[] {
    const prefix = `${sessionId}\n`;
    return [...this.#seats].filter(([key]) => key.startsWith(prefix)).map(([, socketId]) => socketId);
  }

  /** To sockets connected here directly; to relayed ones through the adapter (it reaches every node). */
  #emit<E extends 'media:notify' | 'media:rebuild' | 'media:replaced'>(
    socketIds: readonly string[],
    event: E,
    payload: Parameters<ServerToClientEvents[E]>[0],
  ): void {
    const local: string[] = [];
    const relayed: string[] = [];
    for (const id of socketIds) (this.#holders.get(id)?.via ? relayed : local).push(id);
    const send = (to: { emit: (e: E, p: typeof payload) => unknown }) => to.emit(event, payload);
    if (local.length > 0) send(this.#io.local.to(local) as never);
    if (relayed.length > 0) send(this.#io.to(relayed) as never);
  }

  #forwardRoomEvents(room: Room): void {
    const { sessionId } = room;
    const all = (n: MediaNotification) => this.#emit(this.#seated(sessionId), 'media:notify', n);
    const one = (peerId: string, n: MediaNotification) => {
      const socketId = this.#seats.get(seatKey({ sessionId, peerId }));
      if (socketId !== undefined) this.#emit([socketId], 'media:notify', n);
    };
    room.on('peerJoined', (data) => all({ name: 'peerJoined', data }));
    room.on('peerUpdated', (data) => all({ name: 'peerUpdated', data }));
    room.on('peerLeft', (peerId) => all({ name: 'peerLeft', data: { peerId } }));
    room.on('newProducer', (data) => all({ name: 'newProducer', data }));
    room.on('producerPaused', (data) => all({ name: 'producerPaused', data }));
    room.on('screenShare', (data) => all({ name: 'screenShare', data }));
    room.on('producerClosed', (p) => all({ name: 'producerClosed', data: { producerId: p.id, peerId: p.peerId } }));
    room.on('activeSpeaker', (peerId) => all({ name: 'activeSpeaker', data: { peerId } }));
    room.on('audioLevels', (data) => all({ name: 'audioLevels', data }));
    room.on('quality', (peers) => all({ name: 'quality', data: { peers } }));
    room.on('audioOnly', (peerId, active, availableKbps) =>
      one(peerId, { name: 'audioOnly', data: { active, availableKbps } }),
    );
    room.on('stillCapture', (peerId, holdMs) => one(peerId, { name: 'stillCapture', data: { holdMs } }));
    room.on('consumerLayers', (peerId, consumerId, spatialLayer) =>
      one(peerId, { name: 'consumerLayers', data: { consumerId, spatialLayer } }),
    );
    room.on('consumerClosed', (peerId, consumerId) => one(peerId, { name: 'consumerClosed', data: { consumerId } }));
  }
}

const seatKey = (s: Seat) => `${s.sessionId}\n${s.peerId}`;

const isProbe = (req: MediaRequest): req is Extract<MediaRequest, { method: ProbeMethod }> =>
  req.method.startsWith('probe');

function assertUnreachable(x: never): never {
  throw new Error(`unhandled media request ${JSON.stringify(x)}`);
}
