// Batch and single-file verification, whole processes, in the same run (issue 16 §3):
//   200 signed PDFs in one `tongban verify FOLDER` run  vs  200 `pdfsig` runs, one per file (target ≤ 0.5×),
//   with its default worker threads (one per core) and, beside it, on one thread (--jobs 1)
//   one `tongban verify FILE` minus bare `node -e ''`   vs  one `pdfsig` run (target ≤ 2×)
// The runs alternate (ours, pdfsig, node) so that all see the same machine load; figures are
// medians. Wall-clock time, as a user waits for it; on a shared machine the spread is reported too.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fromPem } from '../certs/encoding.js';
import { signedPdfSet } from '../server/test-support/signed-pdf-set.js';
import { nssDatabase } from '../signing/test-support/tools.js';
import { median, percentile, row, type BenchRow } from './support/results.js';
import { tempDir } from './support/temp.js';

const CLI = join(import.meta.dirname, '..', 'bin', 'tongban.js');
const GROUP = 'Verification (bench/verify-batch.ts)';

function timed(cmd: string, args: readonly string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.slice(0, 2).join(' ')} exited ${r.status}: ${r.stderr.slice(0, 300)}`);
  return ms;
}

const spread = (xs: readonly number[]) =>
  `p10–p90 ${Math.round(percentile(xs, 10))}–${Math.round(percentile(xs, 90))} ms`;

export interface VerifyBenchResult {
  readonly rows: BenchRow[];
  readonly files: number;
  readonly pages: number;
  readonly batchMs: number[];
  readonly batchOneThreadMs: number[];
  readonly pdfsigBatchMs: number[];
  readonly singleMs: number[];
  readonly pdfsigMs: number[];
  readonly nodeMs: number[];
}

export async function benchVerifyBatch(o: {
  files: number;
  pages: number;
  batchRuns: number;
  singleRuns: number;
}): Promise<VerifyBenchResult> {
  const dir = tempDir('bench-verify-');
  try {
    const set = await signedPdfSet({ dir: dir.path, count: o.files, pages: o.pages });
    const nss = nssDatabase(join(dir.path, 'nss'), fromPem(readFileSync(set.rootPem, 'latin1'))[0]!);
    const folder = join(dir.path, 'signed');
    const oursBatch = (...more: string[]) =>
      timed(process.execPath, [CLI, 'verify', folder, '--data', set.dataDir, ...more]);
    const pdfsigBatch = () => {
      const t = performance.now();
      for (const f of set.files) timed('pdfsig', ['-nssdir', nss, f]);
      return performance.now() - t;
    };
    const single = set.files[0]!;
    // The command's code cache is written by its first successful run; the figures are of later runs.
    oursBatch();
    timed(process.execPath, [CLI, 'verify', single, '--data', set.dataDir]);
    const batchMs: number[] = [];
    const batchOneThreadMs: number[] = [];
    const pdfsigBatchMs: number[] = [];
    for (let i = 0; i < o.batchRuns; i++) {
      batchMs.push(oursBatch());
      batchOneThreadMs.push(oursBatch('--jobs', '1'));
      pdfsigBatchMs.push(pdfsigBatch());
    }
    const singleMs: number[] = [];
    const pdfsigMs: number[] = [];
    const nodeMs: number[] = [];
    for (let i = 0; i < o.singleRuns; i++) {
      singleMs.push(timed(process.execPath, [CLI, 'verify', single, '--data', set.dataDir]));
      pdfsigMs.push(timed('pdfsig', ['-nssdir', nss, single]));
      nodeMs.push(timed(process.execPath, ['-e', '']));
    }
    const pdfsigName = 'pdfsig 22.12';
    const above = median(singleMs) - median(nodeMs);
    const batchPeer = {
      name: `${o.files} ${pdfsigName} runs, one per file`,
      value: median(pdfsigBatchMs),
      measured: true,
    };
    const rows = [
      row(
        GROUP,
        `verify ${o.files} signed PDFs (${o.pages} pages), one \`tongban verify FOLDER\` run (${availableParallelism()} worker threads)`,
        median(batchMs),
        'ms',
        {
          peer: batchPeer,
          note: `target ≤ 0.5×; ${o.batchRuns} runs each; ours ${spread(batchMs)}, pdfsig ${spread(pdfsigBatchMs)}`,
        },
      ),
      row(GROUP, 'the same on one thread (`--jobs 1`)', median(batchOneThreadMs), 'ms', {
        peer: batchPeer,
        note: spread(batchOneThreadMs),
      }),
      row(GROUP, "single-file `tongban verify` time above bare `node -e ''`", above, 'ms', {
        peer: { name: `one ${pdfsigName} run`, value: median(pdfsigMs), measured: true },
        note: `target ≤ 2×; ${o.singleRuns} runs each; medians: tongban verify ${Math.round(median(singleMs))} ms, node -e '' ${Math.round(median(nodeMs))} ms`,
      }),
      row(GROUP, 'single-file `tongban verify`, whole process', median(singleMs), 'ms', {
        peer: { name: `one ${pdfsigName} run`, value: median(pdfsigMs), measured: true },
        note: spread(singleMs),
      }),
    ];
    return {
      rows,
      files: o.files,
      pages: o.pages,
      batchMs,
      batchOneThreadMs,
      pdfsigBatchMs,
      singleMs,
      pdfsigMs,
      nodeMs,
    };
  } finally {
    dir.remove();
  }
}

// `npm run bench:verify` runs this alone (BENCH_RUNS single-file runs, default 21).
if (process.argv[1] === import.meta.filename) {
  const { table } = await import('./support/report.js');
  const r = await benchVerifyBatch({
    files: 200,
    pages: 40,
    batchRuns: 3,
    singleRuns: Number(process.env.BENCH_RUNS ?? 21),
  });
  process.stdout.write(`${table(r.rows)}\n`);
}
