// socket.io on the HTTPS server. Sockets authenticate with the same session cookie as HTTP (the
// kernel's Authenticator, in an io.use middleware) and carry their Principal in socket.data.
// Features attach their events as SocketModules: `handle` validates a client request with zod,
// runs the handler and acknowledges the result or the error reply (kernel toErrorReply); a bad or
// unknown message gets an error ack, never a crash.
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { Server, type Socket } from 'socket.io';
import type { ZodTypeAny, z } from 'zod';
import type { Authenticator } from '../kernel/authenticator.js';
import { RequestValidationError, toErrorReply } from '../kernel/errors.js';
import type { Ack, ClientToServerEvents, ServerToClientEvents, SocketData } from './protocol.js';

export type TongbanServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type TongbanSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** One feature's socket events: attached once; returns what undoes it (listeners on services). */
export interface SocketModule {
  readonly name: string;
  attach(realtime: RealtimeServer): () => void;
}

export class RealtimeServer {
  readonly io: TongbanServer;
  readonly #log: (err: unknown) => void;
  readonly #connectionHandlers: ((socket: TongbanSocket) => void)[] = [];
  readonly #detach: (() => void)[] = [];

  constructor(opts: { server: HttpsServer | HttpServer; authenticator: Authenticator; log: (err: unknown) => void }) {
    this.#log = opts.log;
    this.io = new Server(opts.server, {
      serveClient: false,
      maxHttpBufferSize: 1_000_000,
      cors: { origin: false },
      // Cross-site WebSocket hijacking: a browser always names the page's origin; it must be ours.
      allowRequest: (req, callback) => callback(null, sameOrigin(req.headers.origin, req.headers.host)),
    });
    this.io.use((socket, next) => {
      const who = opts.authenticator.fromCookie(socket.handshake.headers.cookie);
      if (!who) return next(new Error('unauthenticated'));
      socket.data.principal = who.principal;
      socket.data.loginSession = who.sessionKey;
      next();
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
   * Registers a request handler on one socket: the payload is validated with `schema`, the result
   * (or the error reply) goes back in the ack. Errors never escape to socket.io.
   */
  handle<S extends ZodTypeAny, R>(
    socket: TongbanSocket,
    event: string,
    schema: S,
    handler: (payload: z.infer<S>, socket: TongbanSocket) => R | Promise<R>,
  ): void {
    (socket as unknown as Socket).on(event, async (...args: unknown[]) => {
      const ack = typeof args.at(-1) === 'function' ? (args.at(-1) as (reply: Ack<R>) => void) : undefined;
      ack?.(await this.#run(schema, args[0], (payload) => handler(payload, socket)));
    });
  }

  async close(): Promise<void> {
    for (const detach of this.#detach.splice(0)) detach();
    await this.io.close();
  }

  async #run<S extends ZodTypeAny, R>(schema: S, raw: unknown, handler: (payload: z.infer<S>) => R | Promise<R>): Promise<Ack<R>> {
    try {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw new RequestValidationError('payload', parsed.error);
      return { ok: true, data: await handler(parsed.data) };
    } catch (err) {
      const { status, body } = toErrorReply(err);
      if (status >= 500) this.#log(err);
      return { ok: false, error: body.error };
    }
  }

  #connected(socket: TongbanSocket): void {
    for (const handler of this.#connectionHandlers) handler(socket);
    // Anything nobody listens to: answer with an error instead of silence.
    socket.onAny((event: string, ...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof ack !== 'function' || (socket as unknown as Socket).listeners(event).length > 0) return;
      (ack as (reply: Ack<never>) => void)({ ok: false, error: { code: 'unknown_event', message: `unknown event ${String(event).slice(0, 64)}` } });
    });
  }

  /** Logout or a disabled account ends the live connections of that session or user at once. */
  #disconnectRevoked(which: { sessionKey: string } | { userId: string }): void {
    for (const socket of this.io.sockets.sockets.values()) {
      const { principal, loginSession } = socket.data;
      const match = 'sessionKey' in which ? loginSession === which.sessionKey : principal.kind === 'user' && principal.userId === which.userId;
      if (match) socket.disconnect(true);
    }
  }
}

function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true; // not a browser (CLI clients, tests)
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
