// socket.io on the HTTPS server, typed by the one event map of protocol/socket.ts. Sockets
// authenticate with the same session cookie as HTTP (the kernel's Authenticator, in an io.use
// middleware) and carry their Principal in socket.data. Features attach their events as
// SocketModules: `handle` validates a request with the event's schema from the protocol, runs the
// handler and acknowledges the result or the error reply (kernel toErrorReply); a bad or unknown
// message gets an error ack, never a crash.
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import {
  clientRequests,
  type Ack,
  type ClientRequestPayload,
  type ClientRequestReplies,
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
  type SimpleRequestName,
  type SocketData,
} from '../../protocol/socket.js';
import type { Authenticator, Revocation } from '../kernel/authenticator.js';
import { RequestValidationError, toErrorReply } from '../kernel/errors.js';
import { fromOwnSite } from '../http/same-origin.js';

export type TongbanServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type TongbanSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** One feature's socket events: attached once; returns what undoes it (listeners on services). */
export interface SocketModule {
  readonly name: string;
  attach(realtime: RealtimeServer): () => void;
}

type Handler<E extends SimpleRequestName> = (
  payload: ClientRequestPayload<E>,
) => ClientRequestReplies[E] | Promise<ClientRequestReplies[E]>;

export class RealtimeServer {
  readonly io: TongbanServer;
  readonly #log: (err: unknown) => void;
  readonly #connectionHandlers: ((socket: TongbanSocket) => void)[] = [];
  readonly #detach: (() => void)[] = [];

  constructor(opts: {
    server: HttpsServer | HttpServer;
    authenticator: Authenticator;
    log: (err: unknown) => void;
    /** The public URL, which a browser's Origin may name instead of the Host. */
    publicBaseUrl?: () => string | undefined;
    /** Hands broadcasts to the other nodes of a cluster (the Redis adapter); in-memory when absent. */
    adapter?: ServerOptions['adapter'];
    /** False on a media node: it only sends through the adapter, browsers connect to the API nodes. */
    acceptClients?: boolean;
  }) {
    this.#log = opts.log;
    this.io = new Server(opts.server, {
      serveClient: false,
      ...(opts.adapter ? { adapter: opts.adapter } : {}),
      maxHttpBufferSize: 1_000_000,
      cors: { origin: false },
      // Cross-site WebSocket hijacking: a browser always names the page's origin; it must be ours.
      allowRequest: (req, callback) =>
        opts.acceptClients === false
          ? callback('a media node serves no browsers: connect to an API node', false)
          : callback(null, fromOwnSite(req.headers, opts.publicBaseUrl?.())),
    });
    this.io.use((socket, next) => {
      Promise.resolve(opts.authenticator.fromCookie(socket.handshake.headers.cookie)).then((who) => {
        if (!who) return next(new Error('unauthenticated'));
        if (who.mustChangePassword) return next(new Error('password_change_required'));
        socket.data.principal = who.principal;
        socket.data.loginSession = who.sessionKey;
        next();
      }, next);
    });
    this.io.on('connection', (socket) => this.#connected(socket));
    this.#detach.push(opts.authenticator.onRevoke((which) => this.#disconnectRevoked(which)));
  }

  attach(modules: readonly SocketModule[]): void {
    for (const m of modules) this.#detach.push(m.attach(this));
  }

  /** Runs for every authenticated socket (features register their events here). */
  onConnection(handler: (socket: TongbanSocket) => void): void {
    this.#connectionHandlers.push(handler);
  }

  /**
   * Answers one request event on one socket: the payload is checked with the event's schema,
   * the result (or the error reply) goes back in the ack. Errors never escape to socket.io.
   */
  handle<E extends SimpleRequestName>(socket: TongbanSocket, event: E, handler: Handler<E>): void {
    const listen: (event: SimpleRequestName, listener: (raw: unknown, ack: unknown) => void) => unknown =
      socket.on.bind(socket);
    listen(event, (raw, ack) => {
      void this.#run(event, raw, handler).then((reply) => {
        if (typeof ack === 'function') ack(reply);
      });
    });
  }

  /** Answers an error for an event a request carried; for handlers with their own dispatch (media). */
  errorReply(err: unknown): Extract<Ack<never>, { ok: false }> {
    const { status, body } = toErrorReply(err);
    if (status >= 500) this.#log(err);
    return { ok: false, error: body.error };
  }

  async close(): Promise<void> {
    for (const detach of this.#detach.splice(0)) detach();
    await this.io.close();
  }

  async #run<E extends SimpleRequestName>(
    event: E,
    raw: unknown,
    handler: Handler<E>,
  ): Promise<Ack<ClientRequestReplies[E]>> {
    try {
      const parsed = clientRequests[event].safeParse(raw);
      if (!parsed.success) throw new RequestValidationError('payload', parsed.error);
      return { ok: true, data: await handler(parsed.data as ClientRequestPayload<E>) };
    } catch (err) {
      return this.errorReply(err);
    }
  }

  #connected(socket: TongbanSocket): void {
    for (const handler of this.#connectionHandlers) handler(socket);
    // Anything nobody listens to: answer with an error instead of silence.
    socket.onAny((event: string, ...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof ack !== 'function' || isRequestEvent(event)) return;
      ack({ ok: false, error: { code: 'unknown_event', message: `unknown event ${String(event).slice(0, 64)}` } });
    });
  }

  /** Logout or a disabled account ends the live connections of that session or user at once. */
  #disconnectRevoked(which: Revocation): void {
    for (const socket of this.io.sockets.sockets.values()) {
      const { principal, loginSession } = socket.data;
      const match =
        'sessionKey' in which
          ? loginSession === which.sessionKey
          : principal.kind === 'user' && principal.userId === which.userId;
      if (match) socket.disconnect(true);
    }
  }
}

const isRequestEvent = (event: string): boolean => Object.hasOwn(clientRequests, event);
