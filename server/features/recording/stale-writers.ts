import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Stops recorder processes (ffmpeg) left running by a server that was killed: any process whose
 * command line names `dir`. SIGINT first so ffmpeg closes the segment it was writing (recovery then
 * chains it), SIGKILL after `graceMs`. Linux only (/proc); elsewhere there is nothing to find.
 */
export async function stopStaleWriters(dir: string, graceMs = 3000): Promise<number[]> {
  const pids = processesNaming(dir);
  for (const pid of pids) signal(pid, 'SIGINT');
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await sleep(100);
  for (const pid of pids.filter(alive)) signal(pid, 'SIGKILL');
  return pids;
}

function processesNaming(dir: string): number[] {
  if (!existsSync('/proc/self/cmdline')) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args.some((a) => a.startsWith(`${dir}/`))) found.push(pid);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
