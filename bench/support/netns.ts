// What the network labs share (netlab.ts: one server behind an impaired wire; clusterlab.ts: several
// hosts on one switch): `ip` calls that say what failed, private subnets, and the removal of a lab's
// namespaces — also of labs whose process was killed before it could clean up. A lab's namespaces
// are named `<prefix><pid>-<hex>-<role>`, so the pid tells whether their owner still runs.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export function ip(...args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`ip ${args.join(' ')} failed: ${stderr.trim() || (err as Error).message}`);
  }
}

/** Throws unless this process may build namespaces (root). */
export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0)
    throw new Error(`${what} needs root (ip netns, veth, tc); running as uid ${process.getuid?.()}`);
}

/** A fresh lab tag for this process (the pid lets a later run remove what a killed run left). */
export function labTag(prefix: string): string {
  return `${prefix}${process.pid}-${randomBytes(2).toString('hex')}`;
}

/** Deletes every namespace of the lab `tag` (their veths go with them). */
export function removeNamespaces(tag: string): void {
  for (const ns of namespaces().filter((n) => n.startsWith(`${tag}-`))) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}

/** Removes the namespaces of labs (named with `prefix`) whose process no longer exists. */
export function sweepStale(prefix: string): void {
  const owners = new Set<string>();
  for (const name of namespaces()) {
    const m = new RegExp(`^(${prefix}(\\d+)-[0-9a-f]+)-`).exec(name);
    if (m && !alive(Number(m[2]))) owners.add(m[1]!);
  }
  for (const tag of owners) removeNamespaces(tag);
}

function namespaces(): string[] {
  return ip('netns', 'list')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** True while a process with this pid exists (signal 0 checks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A 10.x.y.0/24 that no interface of this namespace uses yet. */
export function freeSubnet(): string {
  const used = ip('-o', '-4', 'addr', 'show');
  for (;;) {
    const [a, b] = randomBytes(2);
    const subnet = `10.${200 + (a! % 50)}.${b}`;
    if (!used.includes(` ${subnet}.`)) return subnet;
  }
}

/** A name for a veth end: interface names take at most 15 characters. */
export function deviceStem(): string {
  return `tb${randomBytes(3).toString('hex')}`;
}
