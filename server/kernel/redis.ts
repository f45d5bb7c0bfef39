// The connection to the Redis that nodes of a cluster share (config redisUrl, issue 14 §2): one
// client for commands, one for subscriptions (a subscribed Redis connection can do nothing else),
// and a pair the socket.io adapter owns. Every key and channel is under the configured prefix, so
// several platforms (or test runs) can share one Redis.
import { Redis } from 'ioredis';

export class RedisConnection {
  readonly client: Redis;
  readonly prefix: string;
  readonly #subscriber: Redis;
  readonly #listeners = new Map<string, Set<(message: string) => void>>();
  readonly #owned: Redis[];

  private constructor(client: Redis, subscriber: Redis, prefix: string) {
    this.client = client;
    this.#subscriber = subscriber;
    this.prefix = prefix;
    this.#owned = [client, subscriber];
    subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.#listeners.get(channel) ?? []) listener(message);
    });
  }

  /** Connects (and fails fast, naming only host and port: the URL may carry a password). */
  static async open(url: string, prefix: string): Promise<RedisConnection> {
    const options = { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true } as const;
    const client = new Redis(url, options);
    const subscriber = new Redis(url, options);
    // ioredis reports connection trouble as 'error' events while it reconnects; commands fail on their own.
    for (const c of [client, subscriber]) c.on('error', () => undefined);
    try {
      await Promise.all([client.connect(), subscriber.connect()]);
    } catch (err) {
      client.disconnect();
      subscriber.disconnect();
      const where = new URL(url);
      throw new Error(
        `cannot reach Redis at ${where.hostname}:${where.port || 6379}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    return new RedisConnection(client, subscriber, prefix);
  }

  /** The full name of a key or channel: the prefix, then the parts joined by ':'. */
  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /** A new connection pair (publisher, subscriber) closed with this one: the socket.io adapter's. */
  pair(): [Redis, Redis] {
    const pair: [Redis, Redis] = [this.client.duplicate(), this.client.duplicate()];
    for (const c of pair) c.on('error', () => undefined);
    this.#owned.push(...pair);
    return pair;
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.key(channel), message);
  }

  /** Calls `listener` with every message on the channel (from any node, this one included); returns the unsubscribe. */
  async subscribe(channel: string, listener: (message: string) => void): Promise<() => void> {
    const full = this.key(channel);
    let set = this.#listeners.get(full);
    if (!set) {
      this.#listeners.set(full, (set = new Set()));
      await this.#subscriber.subscribe(full);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  async close(): Promise<void> {
    // The socket.io adapter unsubscribes on close without waiting: a round trip first lets those
    // replies arrive (replies come in order), so no command of theirs is cut off by the QUIT.
    await Promise.allSettled(this.#owned.map((c) => (c.status === 'ready' ? c.ping() : undefined)));
    await Promise.allSettled(this.#owned.map((c) => c.quit()));
  }
}
