#!/usr/bin/env node
// The `tongban` command: runs dist/cli/tongban.cjs (`npm run build`, done by the set-up scripts).
// It compiles the bundle with a V8 code cache kept per command, so from a command's second run on
// V8 skips parsing and compiling what that command uses. The cache only speeds things up: when it
// is missing, rejected (another Node, a rebuilt bundle) or cannot be written, the bundle is compiled
// as usual. Only a run that exits 0 writes it, so a failed run does not shape it.
// CommonJS, not an ES module: Node loads an ES entry through its module loader and builds ES facades
// of the built-in modules it imports (node:fs's loads all of fs' streams), a cost on every command.
'use strict';
const { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'cli', 'tongban.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('tongban: not built yet: run `npm run build` first\n');
  process.exit(2);
}

// Keyed by the first word (sign, verify, pki, …), not by later words: they may be file names. A
// `verify` of one PDF and a batch (several files, folders, packages) have caches of their own: a
// batch also compiles the worker pool, the table and the progress bar, and a cache twice the size
// would slow every single-file start that came after one.
const first = /^[a-z][a-z-]{0,20}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
const named = process.argv.slice(3).filter((a) => !a.startsWith('-') && /\.(pdf|zip)$/i.test(a));
const onePdf = named.length === 1 && /\.pdf$/i.test(named[0]);
const command = first === 'verify' && !onePdf ? 'verify-batch' : first;

const { size, mtimeMs } = statSync(bundle);
function cacheFile(name) {
  return join(dirname(bundle), 'code-cache', `${name}.${process.version}.${size}.${Math.trunc(mtimeMs)}.bin`);
}

function readCache(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(file, script) {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, file);
  } catch {
    rmSync(temp, { force: true });
  }
}

const file = cacheFile(command);
const own = readCache(file);
// Until a command has its own cache it starts from the seed: the bundle's top level compiled, before
// anything ran. Not from another command's cache: that carries all the other command compiled, and
// a bigger cache costs every later start to read and deserialise.
const seed = own ? undefined : readCache(cacheFile('seed'));
const source = readFileSync(bundle, 'utf8');
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData: own ?? seed,
});
if (!own && !seed) writeCache(cacheFile('seed'), script);
if (!own || script.cachedDataRejected) {
  // After the run, so the cache also holds the functions compiled lazily while the command ran.
  process.once('exit', (code) => code === 0 && writeCache(file, script));
}
const bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, createRequire(bundle), bundleModule, bundle, dirname(bundle));
