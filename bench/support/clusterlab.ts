// A network lab for cluster tests (issue 14 §6): each host of the cluster (API and media nodes) has
// a network namespace of its own, and every host, plus the caller's namespace, hangs on one switch
// (a Linux bridge in a namespace of its own):
//
//   caller's namespace  <dev>r 10.a.b.1 ══veth══╗
//                                              <tag>-switch: bridge ── <dev>Ns ══veth══ <tag>-<host N> 10.a.b.(N+1)
//
// The engines the nodes share (PostgreSQL, Redis, the S3 server) run in the caller's namespace and
// listen on 10.a.b.1 besides loopback (scripts/engines/*.sh --listen); the test talks to the nodes
// as a browser or bot would, over the switch. A host is cut off by taking its switch port down.
// Everything needs root; without it create() throws saying why.
import { deviceStem, freeSubnet, ip, labTag, removeNamespaces, requireRoot, sweepStale } from './netns.js';

const prefix = 'tbclu-';

export class ClusterLab {
  readonly tag: string;
  /** The caller's address on the switch: where the engines listen for the hosts. */
  readonly callerIp: string;
  readonly #hosts = new Map<string, { ns: string; ip: string; port: string }>();
  readonly #callerDevice: string;
  #closed = false;

  private constructor(tag: string, subnet: string, callerDevice: string) {
    this.tag = tag;
    this.callerIp = `${subnet}.1`;
    this.#callerDevice = callerDevice;
  }

  /** Builds the switch and one namespace per host name (letters, digits and hyphens). */
  static create(hosts: readonly string[]): ClusterLab {
    requireRoot('the cluster lab');
    if (hosts.length === 0 || hosts.length > 50) throw new Error('the cluster lab takes 1 to 50 hosts');
    for (const h of hosts) if (!/^[a-z0-9-]{1,20}$/.test(h)) throw new Error(`not a host name: ${h}`);
    sweepStale(prefix);
    const tag = labTag(prefix);
    const dev = deviceStem();
    const subnet = freeSubnet();
    const lab = new ClusterLab(tag, subnet, `${dev}r`);
    const sw = `${tag}-switch`;
    try {
      ip('netns', 'add', sw);
      ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
      ip('-n', sw, 'link', 'set', 'br0', 'up');
      lab.#plug(sw, `${dev}r`, `${dev}rs`);
      ip('addr', 'add', `${subnet}.1/24`, 'dev', `${dev}r`);
      ip('link', 'set', `${dev}r`, 'up');
      hosts.forEach((host, i) => {
        const ns = `${tag}-${host}`;
        const [end, port] = [`${dev}h${i}`, `${dev}h${i}s`];
        ip('netns', 'add', ns);
        lab.#plug(sw, end, port);
        ip('link', 'set', end, 'netns', ns);
        ip('-n', ns, 'addr', 'add', `${subnet}.${i + 2}/24`, 'dev', end);
        ip('-n', ns, 'link', 'set', end, 'up');
        // A node's own processes (the recorder's ffmpeg, mediasoup's workers) talk over its loopback.
        ip('-n', ns, 'link', 'set', 'lo', 'up');
        lab.#hosts.set(host, { ns, ip: `${subnet}.${i + 2}`, port });
      });
    } catch (err) {
      lab.close();
      throw err;
    }
    return lab;
  }

  get hosts(): string[] {
    return [...this.#hosts.keys()];
  }

  /** The host's network namespace (for `ip netns exec`). */
  ns(host: string): string {
    return this.#host(host).ns;
  }

  ip(host: string): string {
    return this.#host(host).ip;
  }

  /**
   * One more address of the caller's on the switch (10.a.b.(200 + n), n from 0 to 54): clients that
   * the nodes must tell apart (per-address limits) connect from several (HttpClient.localAddress).
   */
  addCallerAddress(n: number): string {
    if (!Number.isInteger(n) || n < 0 || n > 54) throw new Error(`caller address ${n}: 0 to 54`);
    const address = `${this.callerIp.slice(0, -2)}.${200 + n}`;
    ip('addr', 'add', `${address}/32`, 'dev', this.#callerDevice);
    return address;
  }

  /** Takes the host's switch port down (a dead link: packets vanish) or brings it back up. */
  setConnected(host: string, connected: boolean): void {
    ip('-n', `${this.tag}-switch`, 'link', 'set', this.#host(host).port, connected ? 'up' : 'down');
  }

  /** Deletes the namespaces (their veths go with them) and the caller's end. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    removeNamespaces(this.tag);
    try {
      ip('link', 'del', this.#callerDevice);
    } catch {
      // gone with its peer in the switch namespace
    }
  }

  /** A veth pair whose `port` end is on the switch's bridge; `end` stays in this namespace for the caller to move. */
  #plug(sw: string, end: string, port: string): void {
    ip('link', 'add', end, 'type', 'veth', 'peer', 'name', port);
    ip('link', 'set', port, 'netns', sw);
    ip('-n', sw, 'link', 'set', port, 'master', 'br0');
    ip('-n', sw, 'link', 'set', port, 'up');
  }

  #host(host: string): { ns: string; ip: string; port: string } {
    const h = this.#hosts.get(host);
    if (!h) throw new Error(`no host ${host} in the lab`);
    return h;
  }
}
