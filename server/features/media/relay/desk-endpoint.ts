// The media node's half of relayed signalling: requests an API node relays for its sockets are
// answered by this node's desk (as a local socket's would be), a relayed socket's disconnection
// starts its seat's grace time, and an API node that ends a session ends its room here. Every few
// seconds each relaying node is asked which of its sockets are still connected, so a seat whose
// API node died (and never said so) is freed like a dropped connection.
import { z } from 'zod';
import { NodeUnreachableError, type NodeRpc } from '../../../kernel/node-rpc.js';
import type { MediaDesk } from '../MediaDesk.js';
import type { MediaService } from '../MediaService.js';
import { asAppError, parseRequest } from '../signaling.js';
import type { RealtimeServer } from '../../../realtime/RealtimeServer.js';
import {
  relayedRequest,
  relayedSession,
  relayedSocket,
  relayMethods,
  socketList,
} from '../../../../protocol/media-relay.js';

export interface DeskEndpointOptions {
  readonly rpc: NodeRpc;
  readonly desk: MediaDesk;
  readonly media: MediaService;
  readonly realtime: RealtimeServer;
  readonly log: (err: unknown) => void;
  /** How often relaying nodes are asked about their sockets; two unanswered checks in a row free their seats. */
  readonly checkIntervalMs?: number;
}

export function serveRelayedMedia(o: DeskEndpointOptions): () => void {
  const { rpc, desk } = o;
  rpc.handle(relayMethods.request, relayedRequest, async (r, from) => {
    try {
      const caller = { socketId: r.socketId, principal: r.principal, via: from };
      return { ok: true, data: await desk.request(caller, parseRequest(r.request)) };
    } catch (err) {
      return o.realtime.errorReply(asAppError(err));
    }
  });
  rpc.handle(relayMethods.disconnected, relayedSocket, async (r) => {
    desk.disconnected(r.socketId);
    return {};
  });
  rpc.handle(relayMethods.end, relayedSession, async (r) => {
    await o.media.endSession(r.sessionId);
    return {};
  });
  const interval = o.checkIntervalMs ?? 5000;
  const missed = new Map<string, number>();
  const check = (node: string, socketIds: string[]) =>
    rpc.request(node, relayMethods.alive, { socketIds }, socketList, interval).then(
      (reply) => {
        missed.delete(node);
        const alive = new Set(reply.socketIds);
        for (const id of socketIds) if (!alive.has(id)) desk.disconnected(id);
      },
      (err: unknown) => {
        if (!(err instanceof NodeUnreachableError)) return o.log(err);
        const count = (missed.get(node) ?? 0) + 1;
        missed.set(node, count);
        if (count < 2) return;
        missed.delete(node);
        for (const id of socketIds) desk.disconnected(id);
      },
    );
  const timer = setInterval(() => {
    for (const [node, socketIds] of desk.relayed()) void check(node, socketIds);
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
}

/** Ends a session's room wherever it runs: here, or on the live node it is placed on (told over RPC). */
export function clusterRoomEnder(o: {
  readonly media: MediaService | undefined;
  readonly rpc: NodeRpc;
  readonly liveNodeOf: (sessionId: string) => Promise<string | undefined>;
}): (sessionId: string) => Promise<unknown> {
  return async (sessionId) => {
    const here = await o.media?.existingRoom(sessionId);
    const node = here ? undefined : await o.liveNodeOf(sessionId);
    if (node !== undefined && node !== o.rpc.nodeId)
      // Sealing waits for the last segments and signs the manifest: minutes at most.
      return o.rpc.request(node, relayMethods.end, { sessionId }, z.object({}).passthrough(), 180_000);
    return o.media?.endSession(sessionId);
  };
}
