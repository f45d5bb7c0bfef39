// Which media node hosts a session's room (issue 14 §2, §4), kept in the Redis the nodes share.
// Media nodes announce themselves with a heartbeat that expires (a node that misses it drops out)
// and carries their load (rooms hosted). A session is placed on the least-loaded live node; the
// placement expires too and is renewed while the room lives, so a dead node's sessions are placed
// anew. Choosing and writing happen in one Lua script: two API nodes placing the same session at
// once get the same answer, and back-to-back placements see each other's load.
import type { RedisConnection } from '../../kernel/redis.js';

export interface MediaNodeView {
  readonly id: string;
  readonly url: string;
  /** Rooms the node reported at its last heartbeat, plus sessions placed on it since. */
  readonly load: number;
  /** Sites whose participants the node serves first (config media.sites); none: it serves anyone. */
  readonly sites: readonly string[];
}

export interface MediaPlacementTimes {
  /** A node not heard from for this long is dead. */
  readonly nodeTtlMs: number;
  /** A placement not renewed for this long is forgotten. */
  readonly placementTtlMs: number;
}

/**
 * KEYS[1] the placement, KEYS[2] the set of node ids; ARGV[1] the node key prefix, ARGV[2] the
 * placement TTL, ARGV[3] a node not to place on ('' none: a node a satellite lost, whose heartbeat
 * may not have lapsed yet). Returns the node id (an existing placement on a live node is kept and
 * renewed), or false when no node lives. Dead ids are removed from the set on the way.
 */
const PLACE = `
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[3] and redis.call('EXISTS', ARGV[1] .. current) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return current
end
local best, bestLoad
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local load = redis.call('HGET', ARGV[1] .. id, 'load')
  if not load then
    redis.call('SREM', KEYS[2], id)
  elseif id ~= ARGV[3] then
    load = tonumber(load)
    if not best or load < bestLoad or (load == bestLoad and id < best) then best, bestLoad = id, load end
  end
end
if not best then return false end
redis.call('SET', KEYS[1], best, 'PX', ARGV[2])
redis.call('HINCRBY', ARGV[1] .. best, 'load', 1)
return best`;

/** KEYS[1] the placement: renewed (ARGV[2] = ttl) or deleted (ARGV[2] = '') only while it names ARGV[1]. */
const IF_MINE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/** KEYS[1] a claim: taken by ARGV[1] for ARGV[2] ms when free, renewed when ARGV[1] holds it already (a retry). */
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

export class MediaPlacement {
  readonly #redis: RedisConnection;
  readonly #times: MediaPlacementTimes;

  constructor(redis: RedisConnection, times: MediaPlacementTimes) {
    this.#redis = redis;
    this.#times = times;
  }

  get times(): MediaPlacementTimes {
    return this.#times;
  }

  /** A node is alive for nodeTtlMs more, with this load. */
  async heartbeat(node: Omit<MediaNodeView, 'sites'> & { readonly sites?: readonly string[] }): Promise<void> {
    const key = this.#node(node.id);
    await this.#redis.client
      .multi()
      .hset(key, 'url', node.url, 'load', String(node.load), 'sites', (node.sites ?? []).join(','))
      .pexpire(key, this.#times.nodeTtlMs)
      .sadd(this.#nodes(), node.id)
      .exec();
  }

  /** The node leaves at once (a clean stop), instead of when its heartbeat runs out. */
  async leave(nodeId: string): Promise<void> {
    await this.#redis.client.multi().del(this.#node(nodeId)).srem(this.#nodes(), nodeId).exec();
  }

  /** The live nodes, least loaded first. */
  async nodes(): Promise<MediaNodeView[]> {
    const ids = await this.#redis.client.smembers(this.#nodes());
    const views = await Promise.all(
      ids.map(async (id) => {
        const h = await this.#redis.client.hgetall(this.#node(id));
        if (h.url === undefined) return undefined;
        return { id, url: h.url, load: Number(h.load ?? 0), sites: h.sites ? h.sites.split(',') : [] };
      }),
    );
    return views.filter((v) => v !== undefined).sort((a, b) => a.load - b.load || a.id.localeCompare(b.id));
  }

  /**
   * The node hosting the session: its live placement, else the least-loaded live node (undefined:
   * none lives); never `avoid`.
   */
  async place(sessionId: string, avoid?: string): Promise<string | undefined> {
    const placed = await this.#redis.client.eval(
      PLACE,
      2,
      this.#placement(sessionId),
      this.#nodes(),
      this.#node(''),
      String(this.#times.placementTtlMs),
      avoid ?? '',
    );
    return typeof placed === 'string' ? placed : undefined;
  }

  /**
   * The node that serves one participant of the session: a live node that lists the participant's
   * site (the least-loaded such, the home first), else the session's home (placed as by place()).
   * A node other than the home serves the participant in a satellite room piped to the home.
   */
  async placeParticipant(sessionId: string, siteId: string | null, avoid?: string): Promise<string | undefined> {
    const home = await this.place(sessionId, avoid);
    if (home === undefined || !siteId) return home;
    const near = (await this.nodes()).filter((n) => n.id !== avoid && n.sites.includes(siteId));
    if (near.length === 0 || near.some((n) => n.id === home)) return home;
    return near[0]!.id;
  }

  /** The session's placement, if any (alive or not). */
  async placementOf(sessionId: string): Promise<string | undefined> {
    return (await this.#redis.client.get(this.#placement(sessionId))) ?? undefined;
  }

  /** The live node the session is placed on; undefined when it is placed nowhere or on a dead node. */
  async liveNodeOf(sessionId: string): Promise<string | undefined> {
    const node = await this.placementOf(sessionId);
    return node !== undefined && (await this.#redis.client.exists(this.#node(node))) === 1 ? node : undefined;
  }

  /** The room runs on `nodeId` (it opened there): the placement says so, whatever it said before. */
  async claim(sessionId: string, nodeId: string): Promise<void> {
    await this.#redis.client.set(this.#placement(sessionId), nodeId, 'PX', this.#times.placementTtlMs);
  }

  /** Keeps the placement while the room lives; false when it names another node (or none) now. */
  async renew(sessionId: string, nodeId: string): Promise<boolean> {
    return (await this.#ifMine(sessionId, nodeId, String(this.#times.placementTtlMs))) === 1;
  }

  /** The room closed: the placement goes, unless it already names another node. */
  async release(sessionId: string, nodeId: string): Promise<void> {
    await this.#ifMine(sessionId, nodeId, '');
  }

  /**
   * The right to seal the session's open recording of a dead node, for `ttlMs`: true for one holder
   * only (two surviving nodes would otherwise both seal it), again for the same holder (its retry).
   * Never released: a sealer that dies frees it by expiry; one that finishes leaves a sealed
   * recording nobody else will seal.
   */
  async claimSeal(sessionId: string, nodeId: string, ttlMs: number): Promise<boolean> {
    const key = this.#redis.key('recording-seal', sessionId);
    return (await this.#redis.client.eval(CLAIM, 1, key, nodeId, String(ttlMs))) === 1;
  }

  #ifMine(sessionId: string, nodeId: string, ttl: string): Promise<unknown> {
    return this.#redis.client.eval(IF_MINE, 1, this.#placement(sessionId), nodeId, ttl);
  }

  #nodes(): string {
    return this.#redis.key('media-nodes');
  }

  #node(id: string): string {
    return this.#redis.key('media-node', id);
  }

  #placement(sessionId: string): string {
    return this.#redis.key('media-placement', sessionId);
  }
}
