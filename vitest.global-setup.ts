import { spawnSync } from 'node:child_process';

// CLI tests spawn the built `tongban` binary: build once before any test runs. Type errors are
// reported by `npm run typecheck`; tsc still emits, so one bad file does not hide every other test.
export default function setup(): void {
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (r.status !== 0) process.stderr.write('vitest global setup: tsc reported errors (see above)\n');
}
