// The one socket.io connection of the page, shared by every hook (live queue, ceremony state, the
// media room) and typed by the protocol's event map. Created on first use, after login, because
// the server authenticates the handshake with the session cookie; closed at logout (and whenever
// the signed-in identity changes) so the next user gets a connection of their own.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../protocol/socket.js';

export type TongbanSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let current: TongbanSocket | null = null;

/**
 * The page's socket (same origin, WebSocket only), connecting it on first use. A socket the server
 * turned away (no session yet) does not retry by itself, so it is replaced by a fresh one.
 */
export function sharedSocket(): TongbanSocket {
  if (current && !current.active) closeSharedSocket();
  current ??= io({ transports: ['websocket'] });
  return current;
}

/** Drops the page's socket; the next `sharedSocket()` opens a fresh one with the current cookie. */
export function closeSharedSocket(): void {
  current?.disconnect();
  current = null;
}
