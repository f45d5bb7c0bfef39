// Requests from one node of a cluster to another over the Redis they share (issue 14 §4): each node
// listens on a channel of its own, a request carries a correlation id and the requester's id, the
// reply comes back on the requester's channel. Every message is checked with zod when it arrives
// (the envelope, then the method's own schema); a malformed one is dropped or refused, never thrown
// out of the subscriber. A request nobody answers in time rejects with NodeUnreachableError.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { RedisConnection } from './redis.js';

const idSchema = z.string().min(1).max(200);

const envelopeSchema = z.union([
  z.object({
    kind: z.literal('request'),
    id: idSchema,
    from: idSchema,
    method: z.string().min(1).max(100),
    data: z.unknown(),
  }),
  z.object({ kind: z.literal('reply'), id: idSchema, ok: z.literal(true), data: z.unknown() }),
  z.object({ kind: z.literal('reply'), id: idSchema, ok: z.literal(false), error: z.string().max(2000) }),
]);

type Envelope = z.infer<typeof envelopeSchema>;

/** The other node did not answer within the timeout (dead, partitioned, or not listening). */
export class NodeUnreachableError extends Error {
  constructor(
    readonly node: string,
    readonly method: string,
    timeoutMs: number,
  ) {
    super(`node ${node} did not answer ${method} within ${timeoutMs} ms`);
    this.name = 'NodeUnreachableError';
  }
}

/** The other node answered with a failure (its handler threw, or it refused the request). */
export class NodeRequestError extends Error {
  constructor(
    readonly node: string,
    readonly method: string,
    reason: string,
  ) {
    super(`node ${node} refused ${method}: ${reason}`);
    this.name = 'NodeRequestError';
  }
}

interface Handler {
  readonly schema: z.ZodType;
  readonly fn: (data: unknown, from: string) => Promise<unknown>;
}

interface Pending {
  readonly node: string;
  readonly method: string;
  readonly resolve: (data: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class NodeRpc {
  readonly nodeId: string;
  readonly #redis: RedisConnection;
  readonly #timeoutMs: number;
  readonly #handlers = new Map<string, Handler>();
  readonly #pending = new Map<string, Pending>();
  readonly #log: (err: unknown) => void;
  #unsubscribe: (() => void) | undefined;

  constructor(redis: RedisConnection, nodeId: string, opts: { timeoutMs?: number; log?: (err: unknown) => void } = {}) {
    this.#redis = redis;
    this.nodeId = nodeId;
    this.#timeoutMs = opts.timeoutMs ?? 3000;
    this.#log = opts.log ?? (() => undefined);
  }

  /** Starts listening on this node's channel. */
  async start(): Promise<void> {
    this.#unsubscribe ??= await this.#redis.subscribe(channelOf(this.nodeId), (m) => this.#receive(m));
  }

  /** Answers `method` with `fn`; its data is checked with `schema` first (a mismatch is refused). */
  handle<S extends z.ZodType>(
    method: string,
    schema: S,
    fn: (data: z.infer<S>, from: string) => Promise<unknown>,
  ): void {
    this.#handlers.set(method, { schema, fn: fn as Handler['fn'] });
  }

  /** Sends `method` to `node` and resolves with its reply checked against `reply`. */
  async request<S extends z.ZodType>(
    node: string,
    method: string,
    data: unknown,
    reply: S,
    timeoutMs = this.#timeoutMs,
  ): Promise<z.infer<S>> {
    const id = randomUUID();
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new NodeUnreachableError(node, method, timeoutMs));
      }, timeoutMs);
      timer.unref();
      this.#pending.set(id, { node, method, resolve, reject, timer });
    });
    // Settled by close() or a failed publish before it is awaited below: not an unhandled rejection.
    answer.catch(() => undefined);
    const envelope: Envelope = { kind: 'request', id, from: this.nodeId, method, data };
    await this.#redis.publish(channelOf(node), JSON.stringify(envelope)).catch((err: unknown) => {
      this.#settle(id)?.reject(err instanceof Error ? err : new Error(String(err)));
    });
    const parsed = reply.safeParse(await answer);
    if (!parsed.success)
      throw new NodeRequestError(node, method, `malformed reply: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  /** Stops listening; requests still waiting fail at once. */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(new Error('node RPC closed'));
  }

  #settle(id: string): Pending | undefined {
    const p = this.#pending.get(id);
    if (!p) return undefined;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    return p;
  }

  #receive(raw: string): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return this.#log(new Error('node RPC: unreadable message dropped'));
    }
    const parsed = envelopeSchema.safeParse(json);
    if (!parsed.success)
      return this.#log(new Error(`node RPC: malformed message dropped (${parsed.error.issues[0]?.message})`));
    const m = parsed.data;
    if (m.kind === 'reply') {
      const p = this.#settle(m.id);
      if (!p) return; // Too late: its requester has given up already.
      if (m.ok) p.resolve(m.data);
      else p.reject(new NodeRequestError(p.node, p.method, m.error));
      return;
    }
    void this.#answer(m).catch(this.#log);
  }

  async #answer(m: Extract<Envelope, { kind: 'request' }>): Promise<void> {
    let reply: Envelope;
    try {
      const handler = this.#handlers.get(m.method);
      if (!handler) throw new Error(`unknown method ${m.method}`);
      const data = handler.schema.safeParse(m.data);
      if (!data.success)
        throw new Error(
          `invalid ${m.method}: ${data.error.issues[0]?.path.join('.')} ${data.error.issues[0]?.message}`,
        );
      reply = { kind: 'reply', id: m.id, ok: true, data: (await handler.fn(data.data, m.from)) ?? {} };
    } catch (err) {
      reply = {
        kind: 'reply',
        id: m.id,
        ok: false,
        error: (err instanceof Error ? err.message : String(err)).slice(0, 2000),
      };
    }
    await this.#redis.publish(channelOf(m.from), JSON.stringify(reply));
  }
}

const channelOf = (nodeId: string) => `node-rpc:${nodeId}`;
