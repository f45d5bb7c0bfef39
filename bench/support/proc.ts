// CPU and memory of processes from /proc (Linux): the server, its mediasoup workers and its ffmpeg
// children are separate processes, so their costs are read apart from the bots'.
import { readFileSync, readdirSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on Linux x86-64). */
const ticksPerSecond = 100;

export interface ProcSample {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /** R running, S sleeping, Z zombie (exited, not yet reaped), … */
  readonly state: string;
  /** utime + stime in seconds. */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
}

export function sample(pid: number): ProcSample | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm is in parentheses and may itself contain spaces or parentheses: split after the last ')'.
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const f = stat.slice(close + 2).split(' ');
  // Fields after comm start at field 3 (state); utime is field 14, stime 15, rss (pages) 24.
  const num = (field: number) => Number(f[field - 3]);
  return {
    pid,
    comm,
    ppid: num(4),
    state: f[0]!,
    cpuSeconds: (num(14) + num(15)) / ticksPerSecond,
    rssBytes: num(24) * 4096,
  };
}

/** Proportional set size (shared pages split among their users), from smaps_rollup; 0 if gone. */
export function pssBytes(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Direct children of a process, optionally only those whose comm starts with a prefix. */
export function children(ppid: number, commPrefix?: string): ProcSample[] {
  const out: ProcSample[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = sample(Number(name));
    if (s && s.ppid === ppid && (!commPrefix || s.comm.startsWith(commPrefix))) out.push(s);
  }
  return out;
}

/**
 * CPU used by a changing set of processes over a window: each process is counted from when it was
 * first seen (or from the window start), so short-lived children (ffmpeg restarts) are included
 * as far as they were observed. Call tick() now and then during the window, then total().
 */
export class CpuMeter {
  readonly #find: () => number[];
  readonly #first = new Map<number, number>();
  readonly #last = new Map<number, number>();
  readonly #startedAt = performance.now();

  constructor(find: () => number[]) {
    this.#find = find;
    this.tick();
  }

  tick(): void {
    for (const pid of this.#find()) {
      const s = sample(pid);
      if (!s) continue;
      if (!this.#first.has(pid)) this.#first.set(pid, s.cpuSeconds);
      this.#last.set(pid, s.cpuSeconds);
    }
  }

  /** { cpuSeconds, wallSeconds, cores = cpuSeconds / wallSeconds } since construction. */
  total(): { cpuSeconds: number; wallSeconds: number; cores: number } {
    this.tick();
    let cpu = 0;
    for (const [pid, last] of this.#last) cpu += last - (this.#first.get(pid) ?? last);
    const wall = (performance.now() - this.#startedAt) / 1000;
    return { cpuSeconds: cpu, wallSeconds: wall, cores: wall > 0 ? cpu / wall : 0 };
  }
}
