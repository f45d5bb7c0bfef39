// Harness servers as the nodes of one cluster on this machine (issue 14): each node is API and media
// node at once, all share a private Redis (scripts/engines/redis.sh, started here and stopped after)
// under a key prefix of their own, and one data directory (SQLite, the PKI, the recordings), as the
// cascade tests run them. Nodes start one after another: the first seeds the data, the others find it.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startEngine, stopEngine } from '../../server/test-support/engine-scripts.js';
import { Harness } from './harness.js';
import { tempDir } from './temp.js';

/** Runs `body` with a private Redis of its own; the instance is stopped afterwards. */
export async function withRedis<T>(body: (url: string) => Promise<T>): Promise<T> {
  const dir = tempDir('tongban-load-redis-');
  const redisDir = join(dir.path, 'redis');
  try {
    const redis = await startEngine('redis', redisDir);
    return await body(redis.url);
  } finally {
    await stopEngine('redis', redisDir).catch(() => undefined);
    dir.remove();
  }
}

export class HarnessCluster {
  readonly nodes: readonly Harness[];
  readonly #dir: { remove(): void };

  private constructor(nodes: Harness[], dir: { remove(): void }) {
    this.nodes = nodes;
    this.#dir = dir;
  }

  static async start(o: {
    readonly redisUrl: string;
    readonly nodes: number;
    readonly workersPerNode: number;
    readonly record: boolean;
    /** More settings for every node (e.g. TONGBAN_LIMIT_MEDIA_NODE_TTL_MS). */
    readonly env?: Readonly<Record<string, string>>;
  }): Promise<HarnessCluster> {
    const dir = tempDir('tongban-cluster-');
    const env = {
      ...o.env,
      TONGBAN_REDIS_URL: o.redisUrl,
      TONGBAN_REDIS_PREFIX: `cluster-${randomBytes(4).toString('hex')}:`,
    };
    const nodes: Harness[] = [];
    try {
      for (let i = 0; i < o.nodes; i++)
        nodes.push(await Harness.start({ dataDir: dir.path, record: o.record, workers: o.workersPerNode, env }));
    } catch (err) {
      await Promise.all(nodes.map((n) => n.stop()));
      dir.remove();
      throw err;
    }
    return new HarnessCluster(nodes, dir);
  }

  node(i: number): Harness {
    const node = this.nodes[i];
    if (!node) throw new Error(`the cluster has no node ${i}`);
    return node;
  }

  /** Every node's mediasoup worker pids. */
  async workerPids(): Promise<number[]> {
    return (await Promise.all(this.nodes.map((n) => n.workerPids()))).flat();
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
    this.#dir.remove();
  }
}
