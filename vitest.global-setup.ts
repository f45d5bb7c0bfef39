import { spawnSync } from 'node:child_process';

// CLI tests spawn the `tongban` command: bundle it once before any test runs (the same step as
// `npm run build`, without the web client). Type errors are reported by `npm run typecheck`.
export default function setup(): void {
  const r = spawnSync(process.execPath, ['scripts/bundle-cli.mjs'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vitest global setup: bundling the tongban command failed (see above)');
}
