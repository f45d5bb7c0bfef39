// socket.io on the HTTPS server. Sockets authenticate with the same session cookie as HTTP (in an
// io.use middleware) and carry their Principal in socket.data. Clerks join their site's room and
// get `case:updated` pushes. Every client request is validated with zod and acknowledged; a bad
// or unknown message gets an error ack, never a crash. The media signalling attaches its own
// handlers with `onConnection` and `handle`.
import type { Server as HttpsServer } from 'node:https';
import { Server, type Socket } from 'socket.io';
import type { ZodTypeAny, z } from 'zod';
import { sessionTokenFrom } from '../features/auth/cookies.js';
import { authorize, can } from '../kernel/policy.js';
import { hashToken, type LoginSessions } from '../features/auth/LoginSessions.js';
import type { CaseService, CaseSummary } from '../features/cases/CaseService.js';
import { mapError } from '../http/error-mapper.js';
import {
  clientRequests,
  siteRoom,
  type Ack,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from './protocol.js';

export type TongbanServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type TongbanSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export class RealtimeServer {
  readonly io: TongbanServer;
  readonly #cases: CaseService;
  readonly #log: (err: unknown) => void;
  readonly #connectionHandlers: ((socket: TongbanSocket) => void)[] = [];
  readonly #unsubscribe: () => void;

  constructor(opts: { server: HttpsServer; loginSessions: LoginSessions; cases: CaseService; log: (err: unknown) => void }) {
    this.#cases = opts.cases;
    this.#log = opts.log;
    this.io = new Server(opts.server, {
      serveClient: false,
      maxHttpBufferSize: 1_000_000,
      cors: { origin: false },
      // Cross-site WebSocket hijacking: a browser always names the page's origin; it must be ours.
      allowRequest: (req, callback) => callback(null, sameOrigin(req.headers.origin, req.headers.host)),
    });
    this.io.use((socket, next) => {
      const token = sessionTokenFrom(socket.handshake.headers.cookie);
      const principal = opts.loginSessions.resolve(token);
      if (!principal || !token) return next(new Error('unauthenticated'));
      socket.data.principal = principal;
      socket.data.loginSession = hashToken(token);
      next();
    });
    this.io.on('connection', (socket) => this.#connected(socket));
    const unsubscribeCases = this.#cases.onChange((summary) => this.#pushCase(summary));
    const unsubscribeRevoke = opts.loginSessions.onRevoke((which) => this.#disconnectRevoked(which));
    this.#unsubscribe = () => {
      unsubscribeCases();
      unsubscribeRevoke();
    };
  }

  /** Runs for every authenticated socket (the media signalling registers its events here). */
  onConnection(handler: (socket: TongbanSocket) => void): void {
    this.#connectionHandlers.push(handler);
  }

  /**
   * Registers a request handler on one socket: the payload is validated with `schema`, the result
   * (or the mapped error) goes back in the ack. Errors never escape to socket.io.
   */
  handle<S extends ZodTypeAny, R>(
    socket: TongbanSocket,
    event: string,
    schema: S,
    handler: (payload: z.infer<S>, socket: TongbanSocket) => R | Promise<R>,
  ): void {
    (socket as unknown as Socket).on(event, async (...args: unknown[]) => {
      const ack = typeof args.at(-1) === 'function' ? (args.at(-1) as (reply: Ack<R>) => void) : undefined;
      const reply = await this.#run(schema, args[0], (payload) => handler(payload, socket));
      ack?.(reply);
    });
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    await this.io.close();
  }

  async #run<S extends ZodTypeAny, R>(schema: S, raw: unknown, handler: (payload: z.infer<S>) => R | Promise<R>): Promise<Ack<R>> {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      return { ok: false, error: { code: 'invalid_request', message: parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ') } };
    }
    try {
      return { ok: true, data: await handler(parsed.data) };
    } catch (err) {
      const { status, body } = mapError(err);
      if (status >= 500) this.#log(err);
      return { ok: false, error: body.error };
    }
  }

  #connected(socket: TongbanSocket): void {
    const principal = socket.data.principal;
    if (principal.kind === 'user' && principal.siteId && can(principal, 'case.list', { siteId: principal.siteId })) {
      void socket.join(siteRoom(principal.siteId));
    }
    this.handle(socket, 'queue:list', clientRequests['queue:list'], (payload) => {
      const site = principal.kind === 'user' ? (principal.siteId ?? undefined) : undefined;
      authorize(principal, 'case.list', { siteId: site });
      return { cases: this.#cases.list({ status: payload.status, site, limit: 200, offset: 0 }).cases };
    });
    for (const handler of this.#connectionHandlers) handler(socket);
    // Anything nobody listens to: answer with an error instead of silence.
    socket.onAny((event: string, ...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof ack !== 'function' || (socket as unknown as Socket).listeners(event).length > 0) return;
      (ack as (reply: Ack<never>) => void)({ ok: false, error: { code: 'unknown_event', message: `unknown event ${String(event).slice(0, 64)}` } });
    });
  }

  /** Logout or a disabled account ends the live connections of that session or user at once. */
  #disconnectRevoked(which: { tokenHash: string } | { userId: string }): void {
    for (const socket of this.io.sockets.sockets.values()) {
      const { principal, loginSession } = socket.data;
      const match =
        'tokenHash' in which ? loginSession === which.tokenHash : principal.kind === 'user' && principal.userId === which.userId;
      if (match) socket.disconnect(true);
    }
  }

  #pushCase(summary: CaseSummary): void {
    this.io.to(siteRoom(summary.handlingSite.id)).to(siteRoom(summary.originatingSite.id)).emit('case:updated', summary);
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
