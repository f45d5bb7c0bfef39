// The import-boundary script, run as `npm run check:boundaries` runs it (a child process) on small trees
// written to a temporary folder: one that keeps every rule, then one breach per rule.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { extractImports, RULES, SCANNED } from './check-boundaries.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const script = path.join(repo, 'scripts/check-boundaries.mjs');
const scratch: string[] = [];

afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

type Tree = Record<string, string>;

async function writeTree(files: Tree): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'boundaries-'));
  scratch.push(root);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  return root;
}

function runScript(root: string): Promise<{ code: number; lines: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, root], (err, stdout, stderr) => {
      if (stderr) return reject(new Error(stderr));
      const code = err ? Number(err.code) : 0;
      resolve({ code, lines: stdout.trim().split('\n') });
    });
  });
}

// A miniature of the target layout that keeps every rule.
const good: Tree = {
  'protocol/common.ts':
    "import { z } from 'zod';\nimport type { Code } from './errors.js';\nexport const id = z.string();\n",
  'protocol/errors.ts': "export type Code = 'NOT_FOUND';\n",
  'protocol/errors.test.ts':
    "import { readFileSync } from 'node:fs';\nimport { expect, it } from 'vitest';\nimport type { Code } from './errors.js';\n",
  'client/src/App.tsx': [
    "import { useState } from 'react';",
    "import { id } from '../../protocol/common.js';",
    "import { t } from './i18n.js';",
    "const Room = lazy(() => import('./pages/Room.js'));",
    '',
  ].join('\n'),
  'client/src/i18n.ts': "export const t = (s: string) => s; // see '../../server/kernel/errors.js'\n",
  'client/src/pages/Room.tsx': "import { t } from '../i18n.js';\nexport const Room = () => <p>Don't {t('x')}</p>;\n",
  'signing/sign.ts': "import { createSign } from 'node:crypto';\nimport { issue } from '../certs/ca.js';\n",
  'certs/ca.ts': "import forge from 'node-forge';\nexport const issue = () => forge;\n",
  'server/kernel/errors.ts': "import type { Code } from '../../protocol/errors.js';\n",
  'server/kernel/store/db.ts': "import Database from 'better-sqlite3';\nimport { AppError } from '../errors.js';\n",
  'server/kernel/store/db.test.ts': "import { TestServer } from '../../test-support/TestServer.js';\n",
  'server/http/router.ts':
    "import { AppError } from '../kernel/errors.js';\nimport { id } from '../../protocol/common.js';\n",
  'server/realtime/server.ts':
    "import { toReply } from '../http/router.js';\nimport type { Code } from '../../protocol/errors.js';\n",
  'server/features/recording/index.ts': "export { Recorder } from './Recorder.js';\nexport * from './manifest.js';\n",
  'server/features/recording/Recorder.ts':
    "import { db } from '../../kernel/store/db.js';\nimport { write } from './manifest.js';\n",
  'server/features/recording/manifest.ts': 'export const write = () => 1;\n',
  'server/features/records/index.ts': "export { RecordService } from './service.js';\n",
  'server/features/records/service.ts': [
    'import {',
    '  Recorder,',
    '  write,',
    "} from '../recording/index.js';",
    '// import { Room } from "../media/Room.js";',
    'const why = \'import { Room } from "../media/Room.js"\';',
    '',
  ].join('\n'),
  'server/features/records/routes.ts':
    "import { register } from '../../http/router.js';\nimport { RecordService } from './service.js';\n",
  'server/features/records/records.test.ts':
    "import { TestServer } from '../../test-support/TestServer.js';\nimport { Room } from '../media/index.js';\n",
  'server/features/media/index.ts': "export { Room } from './Room.js';\n",
  'server/features/media/Room.ts':
    "import { Recorder } from '../recording/index.js';\nimport { onSocket } from '../../realtime/server.js';\n",
  'server/app/createApp.ts': [
    "import { RecordService } from '../features/records/index.js';",
    "import { Room } from '../features/media/index.js';",
    "import { db } from '../kernel/store/db.js';",
    "import { register } from '../http/router.js';",
    '',
  ].join('\n'),
  'server/cli/main.ts':
    "import { createApp } from '../app/createApp.js';\nconst serve = async () => (await import('./serve.js')).serve;\n",
  'server/cli/serve.ts': "import type { Recorder } from '../features/recording/index.js';\n",
  'server/demo/seed.ts': "import { createApp } from '../app/createApp.js';\n",
  'server/test-support/TestServer.ts': "import { createApp } from '../app/createApp.js';\n",
  'e2e/flow.test.ts':
    "import { TestServer } from '../server/test-support/TestServer.js';\nimport { Room } from '../server/features/media';\n",
  'bench/api.ts': "import { createApp } from '../server/app/createApp.js';\nimport autocannon from 'autocannon';\n",
  'bench/results/old.ts': "import { x } from '../../server/features/media/Room.js';\n",
};

describe('check-boundaries on a tree that keeps the rules', () => {
  it('passes and prints the feature graph', async () => {
    const { code, lines } = await runScript(await writeTree(good));
    expect(lines).toEqual([
      'boundaries: 29 files, 47 imports checked, 0 violations; features: media → recording, records → recording',
      'server folders: app → features, app → http, app → kernel, cli → app, cli → features, demo → app, ' +
        'features → http, features → kernel, features → realtime, http → kernel, realtime → http, test-support → app',
    ]);
    expect(code).toBe(0);
  });
});

// One breach per rule: files added to (or replacing files of) the good tree, and the line expected.
const breaches: { rule: string; files: Tree; line: string }[] = [
  {
    rule: 'signing never imports server',
    files: { 'signing/sign.ts': "import { db } from '../server/kernel/store/db.js';\n" },
    line: `signing/sign.ts:1 imports ../server/kernel/store/db.js — ${RULES.libraries}`,
  },
  {
    rule: 'certs never imports protocol',
    files: { 'certs/ca.ts': "\nexport type { Code } from '../protocol/errors.js';\n" },
    line: `certs/ca.ts:2 imports ../protocol/errors.js — ${RULES.libraries}`,
  },
  {
    rule: 'certs never imports client',
    files: { 'certs/ca.ts': "import { t } from '../client/src/i18n.js';\n" },
    line: `certs/ca.ts:1 imports ../client/src/i18n.js — ${RULES.libraries}`,
  },
  {
    rule: 'client imports only protocol from outside',
    files: { 'client/src/media.ts': "import type { MediaView } from '../../server/features/media/index.js';\n" },
    line: `client/src/media.ts:1 imports ../../server/features/media/index.js — ${RULES.client}`,
  },
  {
    rule: 'client does not reach signing by a dynamic import',
    files: { 'client/src/pdf.ts': "export const load = () => import('../../signing/sign.js');\n" },
    line: `client/src/pdf.ts:1 imports ../../signing/sign.js — ${RULES.client}`,
  },
  {
    rule: 'protocol imports no node: module',
    files: { 'protocol/ids.ts': "import { randomUUID } from 'node:crypto';\n" },
    line: `protocol/ids.ts:1 imports node:crypto — ${RULES.protocol}`,
  },
  {
    rule: 'protocol imports no other package',
    files: { 'protocol/http.ts': "import type { Request } from 'express';\n" },
    line: `protocol/http.ts:1 imports express — ${RULES.protocol}`,
  },
  {
    rule: 'protocol imports nothing of the server',
    files: { 'protocol/errors.ts': "export { AppError } from '../server/kernel/errors.js';\n" },
    line: `protocol/errors.ts:1 imports ../server/kernel/errors.js — ${RULES.protocol}`,
  },
  {
    rule: 'a protocol test imports nothing of the server either',
    files: {
      'protocol/errors.test.ts':
        "import { it } from 'vitest';\nimport { AppError } from '../server/kernel/errors.js';\n",
    },
    line: `protocol/errors.test.ts:2 imports ../server/kernel/errors.js — ${RULES.protocol}`,
  },
  {
    rule: 'kernel never imports a feature',
    files: { 'server/kernel/audit/log.ts': "import { Room } from '../../features/media/index.js';\n" },
    line: `server/kernel/audit/log.ts:1 imports ../../features/media/index.js — ${RULES.kernel}`,
  },
  {
    rule: 'kernel never imports a transport',
    files: { 'server/kernel/clock.ts': "import type { Socket } from '../realtime/server.js';\n" },
    line: `server/kernel/clock.ts:1 imports ../realtime/server.js — ${RULES.kernel}`,
  },
  {
    rule: 'kernel never imports the composition root',
    files: { 'server/kernel/config.ts': "type App = import('../app/createApp.js').App;\n" },
    line: `server/kernel/config.ts:1 imports ../app/createApp.js — ${RULES.kernel}`,
  },
  {
    rule: 'http never imports a feature',
    files: { 'server/http/auth.ts': "import { RecordService } from '../features/records/index.js';\n" },
    line: `server/http/auth.ts:1 imports ../features/records/index.js — ${RULES.transport}`,
  },
  {
    rule: 'realtime never imports a feature',
    files: { 'server/realtime/rooms.ts': "import { Room } from '../features/media/Room.js';\n" },
    line: `server/realtime/rooms.ts:1 imports ../features/media/Room.js — ${RULES.transport}`,
  },
  {
    rule: 'a feature imports another only through its index',
    files: {
      'server/features/records/verify.ts':
        "import { Recorder } from '../recording/index.js';\nimport { write } from '../recording/manifest.js';\n",
    },
    line: `server/features/records/verify.ts:2 imports ../recording/manifest.js — ${RULES.featureIndex('recording')}`,
  },
  {
    rule: 'the composition root imports features only through their index',
    files: { 'server/app/recording.ts': "import { Recorder } from '../features/recording/Recorder.js';\n" },
    line: `server/app/recording.ts:1 imports ../features/recording/Recorder.js — ${RULES.featureIndex('recording')}`,
  },
  {
    rule: 'test support imports features only through their index',
    files: { 'server/test-support/fixtures.ts': "export { write } from '../features/recording/manifest.js';\n" },
    line: `server/test-support/fixtures.ts:1 imports ../features/recording/manifest.js — ${RULES.featureIndex('recording')}`,
  },
  {
    rule: 'e2e imports features only through their index',
    files: { 'e2e/room.test.ts': "\n\nimport { Room } from '../server/features/media/Room.js';\n" },
    line: `e2e/room.test.ts:3 imports ../server/features/media/Room.js — ${RULES.featureIndex('media')}`,
  },
  {
    rule: 'bench imports features only through their index',
    files: { 'bench/recorder.ts': "const { Recorder } = await import('../server/features/recording/Recorder.js');\n" },
    line: `bench/recorder.ts:1 imports ../server/features/recording/Recorder.js — ${RULES.featureIndex('recording')}`,
  },
  {
    rule: 'no cycle between features',
    files: { 'server/features/recording/verify.ts': "import { RecordService } from '../records/index.js';\n" },
    line:
      `server/features/recording/verify.ts:1 imports ../records/index.js — ${RULES.featureCycle}: ` +
      'recording → records → recording (records → recording: server/features/records/service.ts:4)',
  },
  {
    rule: 'no cycle between server folders',
    files: { 'server/http/live.ts': "import { onSocket } from '../realtime/server.js';\n" },
    line:
      `server/http/live.ts:1 imports ../realtime/server.js — ${RULES.serverCycle}: ` +
      'http → realtime → http (realtime → http: server/realtime/server.ts:1)',
  },
];

describe('check-boundaries on a tree with one breach', () => {
  it.each(breaches)('fails: $rule', async ({ files, line }) => {
    const { code, lines } = await runScript(await writeTree({ ...good, ...files }));
    expect(lines.slice(0, -2)).toEqual([line]);
    expect(lines.at(-2)).toMatch(/^boundaries: \d+ files, \d+ imports checked, 1 violations; features: /);
    expect(code).toBe(1);
  });

  it('still finds a feature cycle made past an index, besides the import itself', async () => {
    const files = { 'server/features/recording/verify.ts': "import { RecordService } from '../records/service.js';\n" };
    const { code, lines } = await runScript(await writeTree({ ...good, ...files }));
    expect(lines.slice(0, -2)).toEqual([
      `server/features/recording/verify.ts:1 imports ../records/service.js — ${RULES.featureIndex('records')}`,
      `server/features/recording/verify.ts:1 imports ../records/service.js — ${RULES.featureCycle}: ` +
        'recording → records → recording (records → recording: server/features/records/service.ts:4)',
    ]);
    expect(code).toBe(1);
  });

  it('reports every breach of a tree, one line each', async () => {
    const all = Object.assign({}, good, ...breaches.map((b) => b.files)) as Tree;
    const { code, lines } = await runScript(await writeTree(all));
    // Breaches that replace the same file keep only the last version of it.
    const expected = breaches.filter((b) => Object.entries(b.files).every(([rel, text]) => all[rel] === text));
    expect(lines.slice(0, -2).sort()).toEqual(expected.map((b) => b.line).sort());
    expect(code).toBe(1);
  });
});

// The same verdicts from the ESLint rule `boundaries/imports` of eslint.config.js, for the breaches of a
// single import (cycles are the script's alone): the file's text linted at its path in this repository.
describe('the ESLint rule boundaries/imports', () => {
  const eslint = new ESLint({ cwd: repo });
  const lint = async (files: Tree) => {
    const found: string[] = [];
    for (const [rel, text] of Object.entries(files)) {
      const [result] = await eslint.lintText(text, { filePath: path.join(repo, rel) });
      for (const m of result?.messages ?? []) {
        if (m.ruleId === 'boundaries/imports') found.push(`${rel}:${m.line} ${m.message}`);
      }
    }
    return found;
  };

  it.each(breaches.filter((b) => !b.line.includes('no cycles')))('reports: $rule', async ({ files, line }) => {
    expect(await lint(files)).toEqual([line]);
  });

  it('accepts every file of the tree that keeps the rules', async () => {
    expect(await lint(good)).toEqual([]);
  });
});

describe('reading import specifiers', () => {
  it('skips comments, strings, templates and regular expressions, and reads every import form', () => {
    const src = [
      "import a, { b as c, type D } from './a.js';",
      "import './side-effect.js';",
      'import * as ns from "./ns.js";',
      "export * from './all.js';",
      "export * as named from './named.js';",
      "export type { T } from './types.js';",
      'export { x };',
      'const s = \'import z from "./in-string.js"\';',
      "const t = `import y from './in-template.js' ${await import('./in-substitution.js')}`;",
      "const re = /import q from '.\\/in-regex.js'/;",
      "/* import w from './in-block-comment.js' */ const m = import.meta.url;",
      "type R = import('./type-position.js').R;",
      "const req = require('./required.cjs');",
      "const ratio = 4 / 2; const o = { from: 'not-a-module' };",
    ].join('\n');
    expect(extractImports(src)).toEqual([
      { spec: './a.js', line: 1 },
      { spec: './side-effect.js', line: 2 },
      { spec: './ns.js', line: 3 },
      { spec: './all.js', line: 4 },
      { spec: './named.js', line: 5 },
      { spec: './types.js', line: 6 },
      { spec: './in-substitution.js', line: 9 },
      { spec: './type-position.js', line: 12 },
      { spec: './required.cjs', line: 13 },
    ]);
  });

  // TypeScript's own pre-processor is the reference: the script must find exactly what it finds.
  it('finds the same imports as TypeScript in every source file of the repository', async () => {
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
      execFile('git', ['ls-files', '--', ...SCANNED], { cwd: repo }, (err, out) =>
        err ? reject(err) : resolve({ stdout: out }),
      ),
    );
    const files = stdout.split('\n').filter((f) => /\.(?:[cm]?[jt]s|[jt]sx)$/.test(f));
    expect(files.length).toBeGreaterThan(100);
    let imports = 0;
    for (const file of files) {
      const src = await readFile(path.join(repo, file), 'utf8');
      const lineOf = (pos: number) => src.slice(0, pos).split('\n').length;
      const reference = ts
        .preProcessFile(src, true, true)
        .importedFiles.map((f) => ({ spec: f.fileName, line: lineOf(f.pos) }));
      expect({ file, imports: extractImports(src) }).toEqual({ file, imports: reference });
      imports += reference.length;
    }
    expect(imports).toBeGreaterThan(500);
  });
});
