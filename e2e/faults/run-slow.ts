// `npm run faults`: the fault tests at full strength: 10 000 mutated PDFs through verifyPdf and the
// upload API (a sample through the CLI), plus the kill -9, worker-kill and full-disk tests. Runs
// vitest on e2e/faults in both test sets (its global setup builds dist/ for the CLI) and writes the
// fuzz summary to bench/results/fuzz-summary.json. FAULT_FUZZ_COUNT overrides the count.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const env = {
  ...process.env,
  FAULT_FUZZ_COUNT: process.env.FAULT_FUZZ_COUNT ?? '10000',
  FAULT_SUMMARY_DIR: fileURLToPath(new URL('../../bench/results/', import.meta.url)),
};
// The fuzzing and the full disk are in the default test set; kill -9 and the worker kill in the
// live-faults set (vitest.config.ts).
for (const set of [{}, { TONGBAN_TEST_SET: 'live-faults' }]) {
  const r = spawnSync('npx', ['vitest', 'run', 'e2e/faults', '--maxWorkers=1'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...env, ...set },
    timeout: 90 * 60_000,
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
