// The parent side of the server harness: forks harness-server.ts under tsx with its own data
// directory, waits for it to listen, and offers typed requests plus the raw pid (for SIGKILL and
// /proc). Every request has a time bound.
import { fork, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { HarnessReady, HarnessReply, HarnessRequest, RoomTicket } from './harness-protocol.js';

const entry = fileURLToPath(new URL('./harness-server.ts', import.meta.url));

type Op = HarnessRequest extends infer R ? (R extends { op: infer O } ? O : never) : never;
type Args<O extends Op> = Omit<Extract<HarnessRequest, { op: O }>, 'id' | 'op'>;

export interface HarnessOptions {
  readonly dataDir: string;
  readonly record?: boolean;
  readonly workers?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly startTimeoutMs?: number;
  /** Run the server inside this network namespace (`ip netns exec`, needs root), listening on `host`. */
  readonly netns?: string;
  readonly host?: string;
}

export class Harness {
  readonly child: ChildProcess;
  readonly ready: HarnessReady;
  /** The tail of the server's stderr (unexpected errors are logged there, never sent to clients). */
  stderr = '';
  #next = 1;
  readonly #waiting = new Map<number, (r: HarnessReply) => void>();

  private constructor(child: ChildProcess, ready: HarnessReady) {
    this.child = child;
    this.ready = ready;
    child.on('message', (r: HarnessReply) => this.#waiting.get(r.id)?.(r));
    child.once('exit', () => {
      for (const resolve of this.#waiting.values()) resolve({ id: -1, ok: false, error: 'server exited' });
      this.#waiting.clear();
    });
  }

  static async start(o: HarnessOptions): Promise<Harness> {
    const args = [
      o.dataDir,
      o.record === false ? 'no-record' : 'record',
      String(o.workers ?? 1),
      o.host ?? '127.0.0.1',
    ];
    const options = { env: { ...process.env, ...o.env }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] as StdioOptions };
    // `ip netns exec` execs node in place, so the pid, the IPC channel and SIGKILL reach the server itself.
    const child = o.netns
      ? spawn('ip', ['netns', 'exec', o.netns, process.execPath, '--import', 'tsx', entry, ...args], options)
      : fork(entry, args, { ...options, execArgv: ['--import', 'tsx'] });
    let stderr = '';
    const keep = (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000));
    child.stderr?.on('data', keep);
    const first = await Promise.race([
      once(child, 'message').then(([m]) => m as HarnessReply),
      once(child, 'exit').then(
        ([code]) => ({ id: 0, ok: false, error: `server exited (${code}): ${stderr}` }) as HarnessReply,
      ),
      delay(o.startTimeoutMs ?? 180_000).then(
        () => ({ id: 0, ok: false, error: 'server start timed out' }) as HarnessReply,
      ),
    ]);
    if (!first.ok) {
      child.kill('SIGKILL');
      throw new Error(first.error);
    }
    const h = new Harness(child, first.data as HarnessReady);
    child.stderr?.off('data', keep);
    child.stderr?.on('data', (d: Buffer) => (h.stderr = (h.stderr + d.toString()).slice(-8000)));
    return h;
  }

  get url(): string {
    return this.ready.url;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.connected;
  }

  get pid(): number {
    return this.child.pid!;
  }

  request<O extends Op>(op: O, args: Args<O>, timeoutMs = 60_000): Promise<unknown> {
    const id = this.#next++;
    if (!this.alive) return Promise.reject(new Error(`harness ${op}: server is not running`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`harness ${op} timed out`));
      }, timeoutMs);
      this.#waiting.set(id, (r) => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        if (r.ok) resolve(r.data);
        else reject(new Error(`harness ${op}: ${r.error}`));
      });
      this.child.send({ id, op, ...args }, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.#waiting.delete(id);
        reject(new Error(`harness ${op}: ${err.message}`));
      });
    });
  }

  /** Opens a room of `size` seats; `claim`: placed on this node (a cluster's home for it). */
  room(size: number, claim = false): Promise<RoomTicket> {
    return this.request('room', { size, claim }) as Promise<RoomTicket>;
  }

  workerPids(): Promise<number[]> {
    return this.request('workerPids', {}) as Promise<number[]>;
  }

  /** A clean stop (plugins, audit seal); SIGKILL if it does not finish in time. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.alive) return this.kill();
    const exited = once(this.child, 'exit');
    await this.request('stop', {}, timeoutMs).catch(() => undefined);
    await Promise.race([exited, delay(timeoutMs)]);
    await this.kill();
  }

  /** SIGKILL, as a crash would; resolves when the process is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());
