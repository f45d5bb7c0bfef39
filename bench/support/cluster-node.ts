// Real `tongban serve` nodes of a cluster (issue 14 §5/§6), used by the cluster tests
// (e2e/cluster/cluster-api.test.ts, one node per lab namespace) and by scripts/cluster.sh (through
// bench/cluster.ts, nodes on loopback that outlive the script). Each node is the built CLI in a child
// process with a data directory of its own and the cluster's shared settings: PostgreSQL, Redis and
// the S3 bucket from TONGBAN_* variables, and the platform token copied from one prepared
// installation the way an operator would copy it to a new machine (the embedded SoftHSM2 token:
// <data>/hsm/tokens and its user.pin; a production cluster names one network HSM instead,
// TONGBAN_PKCS11_MODULE/_TOKEN/_PIN, and nothing is copied).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { alive } from './netns.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'bin/tongban.cjs');

/** The cluster's shared settings as the environment every node (and the preparing command) gets. */
export type ClusterEnv = Readonly<Record<string, string>>;

/**
 * The child's environment: this process' minus any TONGBAN_* of its own (a test run's settings must
 * not leak into a node), plus the cluster's.
 */
function childEnv(env: ClusterEnv): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TONGBAN_')));
  return { ...base, ...env };
}

/** `ip netns exec NS` before the command when the node lives in a lab namespace (ip execs, no fork: the pid is node's). */
function command(args: readonly string[], netns?: string): [string, string[]] {
  const node = [process.execPath, cli, ...args];
  return netns ? ['ip', ['netns', 'exec', netns, ...node]] : [node[0]!, node.slice(1)];
}

/** Polls the log file until `pattern` appears; fails when the process ends first or after `timeoutMs`. */
async function waitForLine(
  logFile: string,
  pattern: RegExp,
  exited: () => boolean,
  timeoutMs: number,
  what: string,
  from = 0,
): Promise<RegExpExecArray> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    const m = pattern.exec(text.slice(from));
    if (m) return m;
    if (exited() || Date.now() > end)
      throw new Error(
        `${what}: ${exited() ? 'exited' : `nothing within ${timeoutMs} ms`}; log ${logFile}:\n${text.slice(-2000)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

const logLength = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').length : 0);

/** GET url with the platform root trusted; resolves with the status, or an error's code (ECONNREFUSED, …). */
export function probe(url: string, ca: string, timeoutMs = 2000): Promise<number | string> {
  return new Promise((done) => {
    const req = request(url, { ca, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    req.end();
  });
}

/** Resolves once url/healthz answers 200 (the node's database answered too). */
export async function waitHealthy(url: string, ca: string, timeoutMs: number, what = url): Promise<number> {
  const t0 = Date.now();
  let last: number | string = '';
  while (Date.now() - t0 < timeoutMs) {
    last = await probe(`${url}/healthz`, ca);
    if (last === 200) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: /healthz did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

/** True when pid runs and its command line names `dataDir` (so a recycled pid is never signalled). */
export function nodeRunning(pid: number, dataDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dataDir);
  } catch {
    return false;
  }
}

/**
 * The shared installation, once: `tongban demo` on the cluster's settings creates the schema, the
 * platform PKI (its keys in `dir`'s token), the accounts (admin among them) and the demo data, then
 * stops; the root certificate is written to `<dir>.root.pem`. Idempotent: a prepared `dir` is reused.
 */
export async function prepareInstallation(
  dir: string,
  env: ClusterEnv,
): Promise<{ rootPem: string; ms: number; reused: boolean }> {
  const t0 = Date.now();
  const pemFile = `${dir}.root.pem`;
  if (existsSync(pemFile) && existsSync(join(dir, 'hsm', 'tokens')))
    return { rootPem: readFileSync(pemFile, 'utf8'), ms: Date.now() - t0, reused: true };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logFile = `${dir}.log`;
  const logSize = logLength(logFile);
  const settings = { ...env, TONGBAN_MEDIA: 'off' };
  const [bin, args] = command(['demo', '--data', dir, '--host', '127.0.0.1', '--port', '0']);
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, args, { env: childEnv(settings), stdio: ['ignore', fd, fd], cwd: root });
  closeSync(fd);
  let exited = false;
  const ended = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  try {
    const ready = /Tongban Desk demo: https:\/\/\S+/;
    await waitForLine(logFile, ready, () => exited, 300_000, 'preparing the installation', logSize);
  } finally {
    child.kill('SIGTERM');
    await ended;
  }
  const { stdout } = await run(process.execPath, [cli, 'pki', 'export-root', '--data', dir], {
    env: childEnv(settings),
    cwd: root,
  });
  writeFileSync(pemFile, stdout);
  return { rootPem: stdout, ms: Date.now() - t0, reused: false };
}

export interface NodeOptions {
  readonly name: string;
  /** The node's own data directory (created; the platform token copied into it from `installDir`). */
  readonly dataDir: string;
  /** The prepared installation (prepareInstallation). */
  readonly installDir: string;
  readonly rootPem: string;
  readonly env: ClusterEnv;
  readonly host: string;
  /** 0: a free port (the URL is read from the node's output). */
  readonly port?: number;
  /** The lab namespace the node runs in (ip netns exec); this process' own when absent. */
  readonly netns?: string;
  /** Outlives this process (scripts/cluster.sh): its own session, the pid written to `<dataDir>.pid`. */
  readonly detached?: boolean;
  readonly startTimeoutMs?: number;
}

/** One running node: its URL, pid and log; stopped gently or killed hard. */
export class ClusterNode {
  readonly #child: ChildProcess | undefined;
  #exited: boolean;

  private constructor(
    readonly options: NodeOptions,
    readonly pid: number,
    readonly url: string,
    readonly startMs: number,
    child: ChildProcess | undefined,
  ) {
    this.#child = child;
    this.#exited = false;
    child?.once('exit', () => (this.#exited = true));
  }

  get name(): string {
    return this.options.name;
  }

  get logFile(): string {
    return `${this.options.dataDir}.log`;
  }

  /** Copies the token, starts `tongban serve`, waits for its URL and a 200 from /healthz. */
  static async start(o: NodeOptions): Promise<ClusterNode> {
    const t0 = Date.now();
    const tokens = join(o.dataDir, 'hsm', 'tokens');
    if (!existsSync(tokens)) {
      // Only the token and its PIN: the installation's softhsm2.conf names its own folder; the node writes one naming its own.
      mkdirSync(join(o.dataDir, 'hsm'), { recursive: true, mode: 0o700 });
      cpSync(join(o.installDir, 'hsm', 'tokens'), tokens, { recursive: true });
      cpSync(join(o.installDir, 'hsm', 'user.pin'), join(o.dataDir, 'hsm', 'user.pin'));
    }
    const logFile = `${o.dataDir}.log`;
    const logSize = logLength(logFile);
    const args = ['serve', '--data', o.dataDir, '--host', o.host, '--port', String(o.port ?? 0)];
    const [bin, argv] = command(args, o.netns);
    const fd = openSync(logFile, 'a');
    const child = spawn(bin, argv, {
      env: childEnv(o.env),
      stdio: ['ignore', fd, fd],
      cwd: root,
      detached: o.detached ?? false,
    });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`node ${o.name}: could not spawn ${bin}`);
    let exited = false;
    child.once('exit', () => (exited = true));
    if (o.detached) {
      writeFileSync(`${o.dataDir}.pid`, `${child.pid}\n`);
      child.unref();
    }
    const timeout = o.startTimeoutMs ?? 120_000;
    try {
      // A restart appends to the same log: only what this start printed counts.
      const url = (
        await waitForLine(logFile, /Tongban Desk: (https:\/\/\S+)/, () => exited, timeout, `node ${o.name}`, logSize)
      )[1]!;
      await waitHealthy(url, o.rootPem, Math.max(1000, timeout - (Date.now() - t0)), `node ${o.name}`);
      return new ClusterNode(o, child.pid, url, Date.now() - t0, o.detached ? undefined : child);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  get running(): boolean {
    return this.#child ? !this.#exited : nodeRunning(this.pid, this.options.dataDir);
  }

  /** SIGTERM (the node seals its audit head and closes), SIGKILL after `graceMs`; resolves when it is gone. */
  async stop(graceMs = 15_000): Promise<'stopped' | 'killed' | 'not running'> {
    return stopPid(this.pid, this.options.dataDir, graceMs);
  }

  /** SIGKILL at once (a machine lost): no clean-up in the node. Resolves when it is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    process.kill(this.pid, 'SIGKILL');
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }
}

/** Stops the node `pid` if it is still the one of `dataDir` (see pidOf for a detached node's). */
export async function stopPid(
  pid: number,
  dataDir: string,
  graceMs = 15_000,
): Promise<'stopped' | 'killed' | 'not running'> {
  if (!nodeRunning(pid, dataDir)) return 'not running';
  process.kill(pid, 'SIGTERM');
  const end = Date.now() + graceMs;
  while (Date.now() < end) {
    if (!nodeRunning(pid, dataDir) || !alive(pid)) return 'stopped';
    await new Promise((r) => setTimeout(r, 100));
  }
  if (nodeRunning(pid, dataDir)) process.kill(pid, 'SIGKILL');
  return 'killed';
}

/** The pid a detached node wrote (undefined when none). */
export function pidOf(dataDir: string): number | undefined {
  const file = `${dataDir}.pid`;
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
