#!/usr/bin/env node
// The `tongban` command: runs the compiled CLI (npm run build, done by the set-up scripts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/server/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('tongban: not built yet: run `npm run build` first\n');
  process.exit(2);
}
await import(main);
