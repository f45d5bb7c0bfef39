import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

// CLI tests spawn the `tongban` command: bundle it once before any test runs (the same step as
// `npm run build`, without the web client). Type errors are reported by `npm run typecheck`.
// Engines (PostgreSQL, the S3 server) that test files start through server/test-support/engines.ts
// live under one directory per run and are stopped here at the end, whatever the tests did.
export default function setup(project: TestProject): () => void {
  const r = spawnSync(process.execPath, ['scripts/bundle-cli.mjs'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vitest global setup: bundling the tongban command failed (see above)');
  const engines = mkdtempSync(join(tmpdir(), 'tongban-engines-'));
  chmodSync(engines, 0o755); // PostgreSQL runs as the user postgres when the tests run as root
  project.provide('enginesDir', engines);
  return () => {
    for (const name of ['s3', 'postgres'])
      if (existsSync(join(engines, name)))
        spawnSync('bash', [`scripts/engines/${name}.sh`, 'stop', '--dir', join(engines, name)], { stdio: 'inherit' });
    rmSync(engines, { recursive: true, force: true });
  };
}
