// The nodes of scripts/cluster.sh (issue 14 §5): `start` prepares the shared installation once and
// starts the nodes on loopback, each with a data directory of its own, detached so that they outlive
// the script; `stop` stops the nodes it started (pids under DIR, checked against their command line).
// The cluster's settings come from this process' TONGBAN_* variables (the engines cluster.sh started).
//   node --import tsx bench/cluster.ts start --dir DIR [--nodes N]
//   node --import tsx bench/cluster.ts stop --dir DIR
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ClusterNode, nodeRunning, pidOf, prepareInstallation, stopPid } from './support/cluster-node.js';
import { demoSites } from '../server/demo/demo-data.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { dir: { type: 'string', default: '.cluster' }, nodes: { type: 'string', default: '4' } },
});
const dir = resolve(values.dir);
const nodesDir = join(dir, 'nodes');

/** api-1, api-2, media-1, media-2 for 4; the first half (rounded down) API nodes, the rest media nodes; one full node for 1. */
function nodeNames(n: number): string[] {
  if (n === 1) return ['node-1'];
  const api = Math.floor(n / 2);
  return Array.from({ length: n }, (_, i) => (i < api ? `api-${i + 1}` : `media-${i - api + 1}`));
}

/**
 * A node's role and, for the first two media nodes, the demo sites they serve first: one near the
 * Zhejiang (and Shanghai) sites, one near 兴仁 in Guizhou, as two provinces would each run their own.
 */
function roleOf(name: string): Record<string, string> {
  if (name.startsWith('api-')) return { TONGBAN_NODE_ROLE: 'api' };
  if (!name.startsWith('media-')) return { TONGBAN_NODE_ROLE: 'full' };
  const inGuizhou = (region: string) => region.startsWith('贵州');
  const sites = [demoSites.filter((s) => !inGuizhou(s.region)), demoSites.filter((s) => inGuizhou(s.region))][
    Number(name.slice('media-'.length)) - 1
  ];
  return { TONGBAN_NODE_ROLE: 'media', ...(sites ? { TONGBAN_MEDIA_SITES: sites.map((s) => s.id).join(',') } : {}) };
}

async function start(): Promise<void> {
  const n = Number(values.nodes);
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error(`--nodes takes 1 to 20, not ${values.nodes}`);
  const env = {
    // One append-only audit anchor for every node (on a real cluster: a shared, append-only volume).
    TONGBAN_AUDIT_ANCHOR: join(dir, 'audit-anchor'),
    ...Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] => e[0].startsWith('TONGBAN_') && e[1] !== undefined,
      ),
    ),
  };
  const install = await prepareInstallation(join(dir, 'install'), env);
  console.log(
    install.reused
      ? `cluster: installation ${join(dir, 'install')} already prepared`
      : `cluster: prepared the installation (schema, PKI, accounts, demo data) in ${install.ms} ms`,
  );
  for (const [i, name] of nodeNames(n).entries()) {
    const dataDir = join(nodesDir, name);
    const pid = pidOf(dataDir);
    if (pid !== undefined && nodeRunning(pid, dataDir)) {
      console.log(`cluster: ${name} already runs (pid ${pid})`);
      continue;
    }
    const node = await ClusterNode.start({
      name,
      dataDir,
      installDir: join(dir, 'install'),
      rootPem: install.rootPem,
      // Each node has its own WebRTC port range (only media and full nodes use it).
      env: {
        ...env,
        ...roleOf(name),
        TONGBAN_RTC_MIN_PORT: String(40000 + i * 500),
        TONGBAN_RTC_MAX_PORT: String(40499 + i * 500),
      },
      host: '127.0.0.1',
      detached: true,
    });
    const role = roleOf(name);
    const what =
      role.TONGBAN_NODE_ROLE === 'media'
        ? `media node${role.TONGBAN_MEDIA_SITES ? ` (sites ${role.TONGBAN_MEDIA_SITES})` : ''}, no browsers`
        : role.TONGBAN_NODE_ROLE === 'api'
          ? 'API node: open this one'
          : 'full node';
    console.log(
      `cluster: ${name.padEnd(8)} ${node.url}  ${what}; pid ${node.pid}, up in ${node.startMs} ms, log ${node.logFile}`,
    );
  }
  console.log(`cluster: root certificate ${join(dir, 'install.root.pem')}`);
}

async function stop(): Promise<void> {
  if (!existsSync(nodesDir)) return console.log('cluster: no nodes were started here');
  for (const name of readdirSync(nodesDir).filter((f) => f.endsWith('.pid'))) {
    const dataDir = join(nodesDir, name.slice(0, -'.pid'.length));
    const pid = pidOf(dataDir);
    if (pid === undefined) continue;
    console.log(`cluster: ${name.slice(0, -4)} (pid ${pid}): ${await stopPid(pid, dataDir)}`);
  }
}

const command = positionals[0];
if (command === 'start') await start();
else if (command === 'stop') await stop();
else throw new Error('usage: bench/cluster.ts start|stop --dir DIR [--nodes N]');
