// The API node's half of media signalling (config nodeRole `api`): it holds the browser's socket
// but no rooms. Each media request is relayed to the media node serving the socket's seat — chosen
// at join by the placement (the node near the participant's site, else the session's home) — and
// that node's acknowledgement goes back to the browser unchanged; the room's notifications come
// from the media node through the socket.io Redis adapter. The relay watches the media nodes it
// uses: when one is gone its sockets are told to rebuild and their rejoin is placed elsewhere, as
// after a worker death. The media node asks which of its relayed sockets are still here.
import { z } from 'zod';
import { NodeUnreachableError, type NodeRpc } from '../../../kernel/node-rpc.js';
import type { MediaPlacement } from '../MediaPlacement.js';
import { MediaNodeUnreachableError, NotJoinedError } from '../errors.js';
import { onMediaRequests, type MediaSignalingDeps } from '../signaling.js';
import { relayedAck, relayMethods, socketList } from '../../../../protocol/media-relay.js';
import type { MediaAck, MediaRequest } from '../../../../protocol/media.js';
import type { RealtimeServer, SocketModule, TongbanSocket } from '../../../realtime/RealtimeServer.js';

export interface MediaRelayDeps {
  readonly rpc: NodeRpc;
  readonly placement: MediaPlacement;
  readonly requestBudget?: MediaSignalingDeps['requestBudget'];
  readonly log: (err: unknown) => void;
}

/** Joining may create the room and pipe it to its home: longer than a plain node request. */
const relayTimeoutMs = 15_000;

interface Route {
  /** The media node serving the socket's seat. */
  node?: string;
  seat?: { readonly sessionId: string; readonly peerId: string };
  /** The media node running the socket's pre-join probe. */
  probe?: string;
}

export function mediaRelaySockets(deps: MediaRelayDeps): SocketModule {
  return {
    name: 'media-relay',
    attach(realtime) {
      const relay = new MediaRelay(deps, realtime);
      return () => relay.close();
    },
  };
}

class MediaRelay {
  readonly #deps: MediaRelayDeps;
  readonly #realtime: RealtimeServer;
  readonly #routes = new Map<string, Route>();
  /** A session's lost node, not to be placed on again until its heartbeat has surely lapsed. */
  readonly #avoid = new Map<string, { node: string; until: number }>();
  readonly #timer: NodeJS.Timeout;

  constructor(deps: MediaRelayDeps, realtime: RealtimeServer) {
    this.#deps = deps;
    this.#realtime = realtime;
    const sockets = realtime.io.sockets.sockets;
    deps.rpc.handle(relayMethods.alive, socketList, async ({ socketIds }) => ({
      socketIds: socketIds.filter((id) => sockets.has(id)),
    }));
    realtime.onConnection((socket) => {
      onMediaRequests(realtime, socket, deps.requestBudget, (req) => this.#forward(socket, req));
      socket.on('disconnect', () => this.#disconnected(socket.id));
    });
    // A third of the node TTL, as the heartbeats: a dead node is noticed within about one TTL.
    const every = deps.placement.times.nodeTtlMs / 3;
    this.#timer = setInterval(() => void this.#watch().catch(deps.log), every);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #forward(socket: TongbanSocket, req: MediaRequest): Promise<MediaAck> {
    const route = this.#routes.get(socket.id) ?? {};
    this.#routes.set(socket.id, route);
    const node = await this.#nodeFor(socket, route, req);
    let ack: z.infer<typeof relayedAck>;
    try {
      const request = { socketId: socket.id, principal: socket.data.principal, request: req };
      ack = await this.#deps.rpc.request(node, relayMethods.request, request, relayedAck, relayTimeoutMs);
    } catch (err) {
      if (err instanceof NodeUnreachableError && route.seat) this.#lost(route.seat.sessionId, node);
      throw new MediaNodeUnreachableError(err instanceof Error ? err.message : String(err));
    }
    if (ack.ok && req.method === 'join') {
      route.seat = { sessionId: req.data.sessionId, peerId: (ack.data as { peerId: string }).peerId };
      socket.data.mediaSeat = route.seat;
    } else if (ack.ok && req.method === 'leave') {
      route.seat = socket.data.mediaSeat = undefined;
    }
    return ack as MediaAck;
  }

  async #nodeFor(socket: TongbanSocket, route: Route, req: MediaRequest): Promise<string> {
    if (req.method === 'join') {
      const { sessionId } = req.data;
      const { principal } = socket.data;
      const site = principal.kind === 'user' ? principal.siteId : null;
      const node = await this.#deps.placement.placeParticipant(sessionId, site, this.#avoided(sessionId));
      if (node === undefined) throw new MediaNodeUnreachableError('no media node is running');
      // A rejoin placed on another node: the old seat there goes (after its grace time).
      if (route.node !== undefined && route.node !== node) this.#tellGone(route.node, socket.id);
      return (route.node = node);
    }
    if (req.method === 'probeStart') {
      const least = (await this.#deps.placement.nodes())[0];
      if (!least) throw new MediaNodeUnreachableError('no media node is running');
      if (route.probe !== undefined && route.probe !== least.id) this.#tellGone(route.probe, socket.id);
      return (route.probe = least.id);
    }
    const node = req.method.startsWith('probe') ? route.probe : route.node;
    if (node === undefined) throw new NotJoinedError();
    return node;
  }

  #disconnected(socketId: string): void {
    const route = this.#routes.get(socketId);
    this.#routes.delete(socketId);
    for (const node of new Set([route?.node, route?.probe])) if (node !== undefined) this.#tellGone(node, socketId);
  }

  #tellGone(node: string, socketId: string): void {
    this.#deps.rpc
      .request(node, relayMethods.disconnected, { socketId }, z.object({}).passthrough())
      // A node that does not answer is dead or cut off: its seats go with it.
      .catch((err: unknown) => err instanceof NodeUnreachableError || this.#deps.log(err));
  }

  /** Sockets seated on a node that no longer beats are told to rebuild; their rejoin avoids it. */
  async #watch(): Promise<void> {
    if (![...this.#routes.values()].some((r) => r.node !== undefined)) return;
    const live = new Set((await this.#deps.placement.nodes()).map((n) => n.id));
    for (const [socketId, route] of this.#routes) {
      if (route.node === undefined || live.has(route.node)) continue;
      const { seat, node } = route;
      route.node = route.seat = undefined;
      if (!seat) continue;
      this.#lost(seat.sessionId, node);
      const socket = this.#realtime.io.sockets.sockets.get(socketId);
      if (!socket) continue;
      socket.data.mediaSeat = undefined;
      socket.emit('media:rebuild', { sessionId: seat.sessionId });
    }
  }

  #lost(sessionId: string, node: string): void {
    this.#avoid.set(sessionId, { node, until: Date.now() + this.#deps.placement.times.nodeTtlMs * 2 });
  }

  #avoided(sessionId: string): string | undefined {
    const a = this.#avoid.get(sessionId);
    if (a && a.until < Date.now()) this.#avoid.delete(sessionId);
    return this.#avoid.get(sessionId)?.node;
  }
}
