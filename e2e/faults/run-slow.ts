// `npm run faults`: the fault tests at full strength: 10 000 mutated PDFs through verifyPdf and the
// upload API (a sample through the CLI), plus the kill -9, worker-kill and full-disk tests. Runs
// vitest on e2e/faults (its global setup builds dist/ for the CLI) and writes the fuzz summary to
// bench/results/fuzz-summary.json. FAULT_FUZZ_COUNT overrides the count.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const r = spawnSync('npx', ['vitest', 'run', 'e2e/faults', '--maxWorkers=1'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    FAULT_FUZZ_COUNT: process.env.FAULT_FUZZ_COUNT ?? '10000',
    FAULT_SUMMARY_DIR: fileURLToPath(new URL('../../bench/results/', import.meta.url)),
  },
  timeout: 90 * 60_000,
});
process.exit(r.status ?? 1);
