// A small network lab for fault tests and benchmarks: the server runs inside its own network
// namespace, the clients stay in the caller's namespace, and the only path between them is a veth
// wire through a middle namespace where impairer.py forwards every frame:
//
//   caller's namespace          <tag>-mid                       <tag>-sfu
//   <tag>c 10.a.b.2  ══veth══  <tag>cm ─ impairer.py ─ <tag>sm  ══veth══  <tag>s 10.a.b.1 (server)
//
// Loss, delay and outages come from impairer.py, not `tc netem`: these kernels lack sch_netem (and
// nf_tables), see impairer.py. Rate caps are the kernel's own `tc tbf` on the middle ends.
// Everything needs root; without it (or without `ip netns`) create() throws saying why.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deviceStem, freeSubnet, ip, labTag, removeNamespaces, requireRoot, sweepStale } from './netns.js';

const impairerScript = fileURLToPath(new URL('./impairer.py', import.meta.url));
const prefix = 'tbnet-';

export interface Impairment {
  /** Probability that a frame is dropped, each direction on its own (0.05 = 5 %). */
  readonly loss?: number;
  /** Added one way, so the round trip gains twice this. */
  readonly delayMs?: number;
  /** Every frame dropped, both ways: a black hole. */
  readonly outage?: boolean;
}

export interface DirectionStats {
  readonly forwarded: number;
  readonly lost: number;
  readonly blackholed: number;
  readonly queueDrops: number;
}

/** `up`: clients → server; `down`: server → clients. */
export interface ImpairerReport {
  readonly config: Required<Impairment>;
  readonly stats: { readonly up: DirectionStats; readonly down: DirectionStats };
}

export class NetLab {
  readonly tag: string;
  readonly serverNs: string;
  readonly middleNs: string;
  readonly serverIp: string;
  readonly clientIp: string;
  readonly #impairer: ChildProcessWithoutNullStreams;
  readonly #replies: ((line: string) => void)[] = [];
  #stderr = '';
  #closed = false;
  /** The middle namespace's ends: towards the clients and towards the server. */
  #devices = { client: '', server: '' };

  private constructor(tag: string, subnet: string, impairer: ChildProcessWithoutNullStreams) {
    this.tag = tag;
    this.serverNs = `${tag}-sfu`;
    this.middleNs = `${tag}-mid`;
    this.serverIp = `${subnet}.1`;
    this.clientIp = `${subnet}.2`;
    this.#impairer = impairer;
  }

  /** Builds the namespaces and wires, starts the impairer (no impairment yet). */
  static async create(): Promise<NetLab> {
    requireRoot('network-fault lab');
    sweepStale(prefix);
    const tag = labTag(prefix);
    const dev = deviceStem();
    const subnet = freeSubnet();
    const sfu = `${tag}-sfu`;
    const mid = `${tag}-mid`;
    try {
      ip('netns', 'add', sfu);
      ip('netns', 'add', mid);
      ip('link', 'add', `${dev}s`, 'type', 'veth', 'peer', 'name', `${dev}sm`);
      ip('link', 'set', `${dev}s`, 'netns', sfu);
      ip('link', 'set', `${dev}sm`, 'netns', mid);
      ip('link', 'add', `${dev}c`, 'type', 'veth', 'peer', 'name', `${dev}cm`);
      ip('link', 'set', `${dev}cm`, 'netns', mid);
      ip('-n', sfu, 'addr', 'add', `${subnet}.1/24`, 'dev', `${dev}s`);
      ip('addr', 'add', `${subnet}.2/24`, 'dev', `${dev}c`);
      // The recorder sends plain RTP to ffmpeg over the server namespace's loopback.
      for (const [ns, link] of [
        [sfu, 'lo'],
        [sfu, `${dev}s`],
        [mid, 'lo'],
        [mid, `${dev}sm`],
        [mid, `${dev}cm`],
      ] as const)
        ip('-n', ns, 'link', 'set', link, 'up');
      ip('link', 'set', `${dev}c`, 'up');
    } catch (err) {
      removeNamespaces(tag);
      throw err;
    }
    const impairer = spawn('ip', ['netns', 'exec', mid, '/usr/bin/python3', impairerScript, `${dev}cm`, `${dev}sm`], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lab = new NetLab(tag, subnet, impairer);
    lab.#devices = { client: `${dev}cm`, server: `${dev}sm` };
    impairer.stderr.on('data', (d: Buffer) => (lab.#stderr = (lab.#stderr + d.toString()).slice(-4000)));
    let buffered = '';
    impairer.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 1);
        lab.#replies.shift()?.(line);
      }
    });
    impairer.once('exit', () => {
      for (const r of lab.#replies.splice(0)) r('');
    });
    try {
      const ready = await lab.#reply(10_000);
      if (!ready.includes('"ready"')) throw new Error(`impairer did not start: ${lab.#stderr || ready}`);
    } catch (err) {
      await lab.close();
      throw err;
    }
    return lab;
  }

  /** Sets (merges) the impairment and answers the impairer's counters. */
  async impair(change: Impairment): Promise<ImpairerReport> {
    const reply = this.#reply(5000);
    this.#impairer.stdin.write(`${JSON.stringify(change)}\n`);
    const raw = JSON.parse(await reply) as { config: Required<Impairment>; stats: Record<'ab' | 'ba', DirectionStats> };
    return { config: raw.config, stats: { up: raw.stats.ab, down: raw.stats.ba } };
  }

  /** Counters so far, impairment unchanged. */
  report(): Promise<ImpairerReport> {
    return this.impair({});
  }

  /**
   * Caps the rate towards the clients (`down`), towards the server (`up`) or both with a kernel
   * token bucket (tbf); null lifts the cap. The queue holds about 200 ms, then drops like a router.
   */
  cap(direction: 'up' | 'down' | 'both', kbit: number | null): void {
    const devices =
      direction === 'both'
        ? [this.#devices.client, this.#devices.server]
        : [direction === 'down' ? this.#devices.client : this.#devices.server];
    for (const dev of devices) {
      if (kbit === null) ipNetnsTc(this.middleNs, ['qdisc', 'del', 'dev', dev, 'root'], true);
      else
        ipNetnsTc(this.middleNs, [
          'qdisc',
          'replace',
          'dev',
          dev,
          'root',
          'tbf',
          'rate',
          `${kbit}kbit`,
          'burst',
          '4kb',
          'latency',
          '200ms',
        ]);
    }
  }

  /** Stops the impairer and deletes both namespaces (their veths go with them). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#impairer.exitCode === null && this.#impairer.signalCode === null) {
      const exited = new Promise((r) => this.#impairer.once('exit', r));
      this.#impairer.stdin.end();
      const timer = setTimeout(() => this.#impairer.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    removeNamespaces(this.tag);
  }

  #reply(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`impairer gave no answer: ${this.#stderr}`)), timeoutMs);
      this.#replies.push((line) => {
        clearTimeout(timer);
        if (line) resolve(line);
        else reject(new Error(`impairer exited: ${this.#stderr}`));
      });
    });
  }
}

function ipNetnsTc(ns: string, args: string[], tolerateFailure = false): void {
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'tc', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if (!tolerateFailure)
      throw new Error(`tc ${args.join(' ')} failed: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`);
  }
}
