// `npm run bench`: every benchmark in one run, one table, bench/results/bench.{json,svg}.
// `--quick` shortens every window (for trying it); the committed results come from a full run.
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchApi } from './api.js';
import { benchAudit } from './audit.js';
import { benchPipe } from './cluster-pipe.js';
import { benchRecorder } from './recorder.js';
import { benchSfu } from './sfu.js';
import { benchSimulcast } from './simulcast.js';
import { benchSigning } from './signing-peer.js';
import { benchVerifyBatch } from './verify-batch.js';
import { benchWeakNetwork } from './netem.js';
import { withRedis } from './support/harness-cluster.js';
import { table, writeOutputs } from './support/report.js';
import type { BenchRow } from './support/results.js';

const quick = process.argv.includes('--quick');
const out = fileURLToPath(new URL(quick ? './results/bench-quick' : './results/bench', import.meta.url));

async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  const raw: Record<string, unknown> = {
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      memGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    quick,
  };
  const step = async <T extends { rows: BenchRow[] }>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
    process.stderr.write(`bench: ${name}…\n`);
    try {
      const r = await run();
      rows.push(...r.rows);
      raw[name] = r;
      return r;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`bench: ${name} failed: ${message}\n`);
      rows.push({ group: name, metric: `FAILED: ${message.slice(0, 160)}`, value: Number.NaN, unit: '' });
      return undefined;
    }
  };
  await step('signing', () => benchSigning({ timeoutMs: 15 * 60_000 }));
  await step('verify-batch', () =>
    benchVerifyBatch({ files: 200, pages: 40, batchRuns: quick ? 1 : 3, singleRuns: quick ? 7 : 21 }),
  );
  const seconds = quick ? 5 : 20;
  const sfu = await step('sfu', () =>
    benchSfu({
      shapes: quick
        ? [
            [3, 2],
            [6, 1],
          ]
        : [
            [3, 4],
            [6, 2],
          ],
      seconds,
    }),
  );
  await step('simulcast', () => benchSimulcast({ size: 3, rooms: quick ? 1 : 2, seconds }));
  await step('cluster pipe', () =>
    withRedis((redisUrl) => benchPipe({ redisUrl, rooms: quick ? 1 : 3, seconds, rounds: quick ? 1 : 2 })),
  );
  await step('recorder', () => benchRecorder({ rooms: quick ? 2 : 4, seconds, baseline: sfu?.runs[0] }));
  await step('weak network', () => benchWeakNetwork({ rounds: quick ? 2 : 5 }));
  await step('audit', () => benchAudit({ rounds: quick ? 3 : 7, perRound: quick ? 1000 : 3000 }));
  await step('api', () => benchApi({ seconds: quick ? 3 : 10, connections: 4, maxRequests: quick ? 3000 : 20_000 }));
  process.stdout.write(`${table(rows)}\n`);
  writeOutputs(
    out,
    rows,
    raw,
    `Tongban Desk benchmarks (${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores${quick ? ', quick' : ''})`,
  );
  process.stdout.write(`\nwrote ${out}.json and ${out}.svg\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
