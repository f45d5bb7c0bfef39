import { execFileSync } from 'node:child_process';

// CLI tests spawn the built `tongban` binary: build once before any test runs.
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
