// Media signalling over socket.io: one `media:request` event with an acknowledgement, checked by
// zod, answered `{ ok, data | error }`. A bad request only ever fails that request. The principal
// comes from the authenticated socket (socket.data.principal); joining is allowed by `canJoin`.
import { AppError, BadRequestError, ConflictError, ForbiddenError, TooManyRequestsError } from '../../kernel/errors.js';
import { actorOf, type Principal } from '../../kernel/principal.js';
import type { MediaService } from './MediaService.js';
import type { PeerIdentity } from './Peer.js';
import type { Room } from './Room.js';
import type { Probe } from './Probe.js';
import { MediaRejectedError, NotJoinedError, ScreenShareForbiddenError } from './errors.js';
import { can } from '../../kernel/policy.js';
import { engineParameters, wireParameters, type ms } from './engine.js';
import {
  maxRequestBytes,
  mediaRequestSchema,
  type MediaAck,
  type MediaRequest,
  type MediaResponses,
  type RecordingStateView,
} from '../../../protocol/media.js';
import { mediaRoom } from '../../../protocol/socket.js';
import type { RealtimeServer, SocketModule, TongbanServer, TongbanSocket } from '../../realtime/RealtimeServer.js';
import { RequestBudget } from '../../realtime/RequestBudget.js';

export interface MediaSignalingDeps {
  readonly media: MediaService;
  /** Throws (ForbiddenError/NotFoundError) unless the principal is a participant of the session. */
  readonly canJoin: (principal: Principal, sessionId: string) => unknown;
  /** Told once per consent (e.g. to write it to the audit log). */
  readonly onConsent?: (principal: Principal, sessionId: string) => Promise<unknown>;
  /** How long a dropped connection keeps its seat before the peer leaves (a network blip). */
  readonly disconnectGraceMs?: number;
  /** Requests one connection may send at once, and per second after that. */
  readonly requestBudget?: { readonly burst: number; readonly perSecond: number };
}

type ProbeMethod = 'probeStart' | 'probeConnect' | 'probeProduce' | 'probeResult';

const defaultRequestBudget = { burst: 100, perSecond: 50 };

interface Seat {
  readonly sessionId: string;
  readonly peerId: string;
}

/** Peers are named by who they are, so a reconnect finds its old seat. Auditors never join live. */
export function peerIdentity(principal: Principal): PeerIdentity {
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

export function mediaSockets(deps: MediaSignalingDeps): SocketModule {
  return {
    name: 'media',
    attach(realtime) {
      return attachMediaSignaling(realtime, deps);
    },
  };
}

function attachMediaSignaling(realtime: RealtimeServer, deps: MediaSignalingDeps): () => void {
  const { io } = realtime;
  const seats = new Map<string, TongbanSocket>(); // `${sessionId}\n${peerId}` → current socket
  const seatKey = (s: Seat) => `${s.sessionId}\n${s.peerId}`;
  const graceMs = deps.disconnectGraceMs ?? 10_000;
  const probes = new WeakMap<TongbanSocket, Probe>();

  const onRoom = (room: Room) => forwardRoomEvents(io, room, (seat) => seats.get(seatKey(seat)));
  // A room's events go to this node's sockets only: in a cluster each node's room (home or
  // satellite) holds every participant, and tells its own clients.
  const onRebuild = (sessionId: string) => io.local.to(mediaRoom(sessionId)).emit('media:rebuild', { sessionId });
  const onRecordingState = (s: RecordingStateView) => io.to(mediaRoom(s.sessionId)).emit('recording:state', s);
  deps.media.on('room', onRoom);
  deps.media.on('rebuild', onRebuild);
  deps.media.on('recordingState', onRecordingState);

  realtime.onConnection((socket) => {
    const budget = new RequestBudget(deps.requestBudget ?? defaultRequestBudget);
    // The payload is whatever the client sent: parseRequest checks it before anything reads it.
    socket.on('media:request', async (raw: unknown, ack: ((reply: MediaAck) => void) | undefined) => {
      if (typeof ack !== 'function') return;
      try {
        if (!budget.take()) throw new TooManyRequestsError('too many media requests, slow down');
        ack({ ok: true, data: await handle(socket, parseRequest(raw)) });
      } catch (err) {
        ack(realtime.errorReply(asAppError(err)));
      }
    });
    socket.on('disconnect', () => {
      probes.get(socket)?.close();
      const seat = socket.data.mediaSeat;
      if (!seat) return;
      setTimeout(() => {
        if (seats.get(seatKey(seat)) !== socket) return;
        seats.delete(seatKey(seat));
        void deps.media.existingRoom(seat.sessionId).then((room) => room?.leave(seat.peerId));
      }, graceMs).unref();
    });
  });

  return () => {
    deps.media.off('room', onRoom);
    deps.media.off('rebuild', onRebuild);
    deps.media.off('recordingState', onRecordingState);
  };

  async function handle(socket: TongbanSocket, req: MediaRequest): Promise<MediaResponses[MediaRequest['method']]> {
    if (req.method === 'join') return join(socket, req.data.sessionId);
    const probed = await probe(socket, req);
    if (probed) return probed;
    const seat = socket.data.mediaSeat;
    if (!seat || seats.get(seatKey(seat)) !== socket) throw new NotJoinedError();
    const room = await deps.media.room(seat.sessionId);
    const peerId = seat.peerId;
    switch (req.method) {
      case 'consent':
        if (!deps.media.hasConsented(seat.sessionId, peerId))
          await deps.onConsent?.(socket.data.principal, seat.sessionId);
        await deps.media.consent(seat.sessionId, peerId);
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
        if (req.data.source === 'screen' && !can(socket.data.principal, 'media.screen_share', { participant: true }))
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
      case 'probeStart':
      case 'probeConnect':
      case 'probeProduce':
      case 'probeResult':
        throw new Error('handled by probe()');
      case 'leave':
        seats.delete(seatKey(seat));
        socket.data.mediaSeat = undefined;
        void socket.leave(mediaRoom(seat.sessionId));
        room.leave(peerId);
        return {};
      default:
        return assertUnreachable(req);
    }
  }

  /**
   * The pre-join probe needs no seat (it comes before consent): one probe per connection, a fresh
   * one replacing the last. Anyone signed in who may open a room may probe (auditors never join live).
   */
  async function probe(socket: TongbanSocket, req: MediaRequest): Promise<MediaResponses[ProbeMethod] | null> {
    if (!req.method.startsWith('probe')) return null;
    peerIdentity(socket.data.principal);
    if (req.method === 'probeStart') {
      probes.get(socket)?.close();
      const { probe, rtpCapabilities } = await deps.media.openProbe();
      probes.set(socket, probe);
      return { routerRtpCapabilities: wireParameters(rtpCapabilities), transport: probe.params };
    }
    const current = probes.get(socket);
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
        return null;
    }
  }

  async function join(socket: TongbanSocket, sessionId: string): Promise<MediaResponses['join']> {
    const { principal } = socket.data;
    const identity = peerIdentity(principal);
    await deps.canJoin(principal, sessionId);
    const previous = socket.data.mediaSeat;
    if (previous && previous.sessionId !== sessionId) throw new BadRequestError('leave the current session first');
    const seat: Seat = { sessionId, peerId: identity.id };
    const old = seats.get(seatKey(seat));
    if (old && old !== socket) {
      old.emit('media:replaced', { sessionId });
      old.data.mediaSeat = undefined;
      void old.leave(mediaRoom(sessionId));
    }
    seats.set(seatKey(seat), socket);
    socket.data.mediaSeat = seat;
    await socket.join(mediaRoom(sessionId));
    const room = await deps.media.join(sessionId, identity);
    return {
      peerId: identity.id,
      routerRtpCapabilities: wireParameters(room.rtpCapabilities),
      peers: room.peers(),
      producers: room.producers().filter((p) => p.peerId !== identity.id),
      consented: deps.media.hasConsented(sessionId, identity.id),
      recording: await deps.media.recordingState(sessionId),
      sendCapBps: deps.media.capOf(identity),
      camera: deps.media.camera,
    };
  }
}

function forwardRoomEvents(io: TongbanServer, room: Room, socketOf: (seat: Seat) => TongbanSocket | undefined): void {
  const to = io.local.to(mediaRoom(room.sessionId));
  room.on('peerJoined', (data) => to.emit('media:notify', { name: 'peerJoined', data }));
  room.on('peerUpdated', (data) => to.emit('media:notify', { name: 'peerUpdated', data }));
  room.on('peerLeft', (peerId) => to.emit('media:notify', { name: 'peerLeft', data: { peerId } }));
  room.on('newProducer', (data) => to.emit('media:notify', { name: 'newProducer', data }));
  room.on('producerPaused', (data) => to.emit('media:notify', { name: 'producerPaused', data }));
  room.on('screenShare', (data) => to.emit('media:notify', { name: 'screenShare', data }));
  room.on('producerClosed', (p) =>
    to.emit('media:notify', { name: 'producerClosed', data: { producerId: p.id, peerId: p.peerId } }),
  );
  room.on('activeSpeaker', (peerId) => to.emit('media:notify', { name: 'activeSpeaker', data: { peerId } }));
  room.on('audioLevels', (data) => to.emit('media:notify', { name: 'audioLevels', data }));
  room.on('quality', (peers) => to.emit('media:notify', { name: 'quality', data: { peers } }));
  room.on('audioOnly', (peerId, active, availableKbps) =>
    socketOf({ sessionId: room.sessionId, peerId })?.emit('media:notify', {
      name: 'audioOnly',
      data: { active, availableKbps },
    }),
  );
  room.on('stillCapture', (peerId, holdMs) =>
    socketOf({ sessionId: room.sessionId, peerId })?.emit('media:notify', { name: 'stillCapture', data: { holdMs } }),
  );
  room.on('consumerLayers', (peerId, consumerId, spatialLayer) =>
    socketOf({ sessionId: room.sessionId, peerId })?.emit('media:notify', {
      name: 'consumerLayers',
      data: { consumerId, spatialLayer },
    }),
  );
  room.on('consumerClosed', (peerId, consumerId) =>
    socketOf({ sessionId: room.sessionId, peerId })?.emit('media:notify', {
      name: 'consumerClosed',
      data: { consumerId },
    }),
  );
}

function parseRequest(raw: unknown): MediaRequest {
  let size: number;
  try {
    size = JSON.stringify(raw ?? null).length;
  } catch {
    throw new BadRequestError('unreadable request', 'bad_request');
  }
  if (size > maxRequestBytes) throw new BadRequestError('request too large', 'payload_too_large');
  const parsed = mediaRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRequestError(
      `invalid media request: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim(),
    );
  }
  return parsed.data;
}

/** Our own errors keep their code; engine rejections (bad RTP/DTLS parameters) become a 400 for that client. */
function asAppError(err: unknown): unknown {
  return err instanceof AppError || !(err instanceof Error) ? err : new MediaRejectedError(err.message);
}

function assertUnreachable(x: never): never {
  throw new Error(`unhandled media request ${JSON.stringify(x)}`);
}
