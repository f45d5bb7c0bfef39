// Builds the `tongban` command as one CommonJS file, dist/cli/tongban.cjs, from the TypeScript
// sources (types are checked by `npm run typecheck`, not here).
// Why one CommonJS file: a command's start-up was mostly Node resolving, reading and compiling a
// few hundred ES modules. One file is read once, and bin/tongban.cjs can compile it with a V8 code
// cache, which Node 20 offers for scripts but not for ES modules.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

// Left to node_modules: native addons (pkcs11js; better-sqlite3's JavaScript is bundled, its addon
// is loaded by path: server/kernel/store/Database.ts), packages that find files beside themselves
// (mediasoup's worker, harfbuzzjs's wasm, human's models and tfjs' wasm), and what only the server
// (`serve`, `demo`) loads: the web stack, the cluster clients (S3, Redis) and the face engine. Every
// command reads the whole bundle at start, so what it never runs stays out.
const external = [
  'pkcs11js',
  'mediasoup',
  'harfbuzzjs',
  'express',
  'socket.io',
  'multer',
  'yazl',
  'yauzl',
  'pdf-lib',
  '@pdf-lib/fontkit',
  '@aws-sdk/*',
  'ioredis',
  '@socket.io/redis-adapter',
  '@vladmandic/human',
  '@tensorflow/*',
];

rmSync(`${root}dist/cli`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['server/cli/main.ts'],
  outfile: 'dist/cli/tongban.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external,
  // import() of an external becomes require(): a script compiled by node:vm has no dynamic-import
  // hook without an experimental flag.
  supported: { 'dynamic-import': false },
  // The few modules that locate files from their own URL get the bundle's.
  define: { 'import.meta.url': '__tongbanModuleUrl' },
  banner: { js: 'var __tongbanModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  // Every start reads, and V8 deserialises, the whole file: short local names make it a third
  // smaller; keepNames leaves the names of functions and classes that messages and checks use.
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});

// Leaves the seed cache every command's first run starts from (see bin/tongban.cjs).
spawnSync(process.execPath, [`${root}bin/tongban.cjs`, 'help'], { stdio: 'ignore' });
