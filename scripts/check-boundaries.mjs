#!/usr/bin/env node
// Checks the import boundaries of the repository layout (issue 11, ARCHITECTURE.md): which folder may
// import which, features only through their index, and no cycles between feature folders or between the
// server's top-level folders. `node scripts/check-boundaries.mjs [root]`; exit 1 on any violation.
// Plain Node, no dependencies: it must run before `npm ci` has anything to offer and stay fast. The
// per-import rule (`checkImport`) is also the ESLint rule `boundaries/imports` in eslint.config.js, so
// editors show the same verdict as this script.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const posix = path.posix;

/** Folders whose sources are read, relative to the repository root. */
export const SCANNED = ['protocol', 'client/src', 'signing', 'certs', 'server', 'e2e', 'bench'];
const SOURCE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
// Installed or built code, bench output and e2e artifacts are not sources.
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'bench/results', 'e2e/artifacts']);

export const RULES = {
  libraries: 'signing/ and certs/ never import server/, client/ or protocol/',
  client: 'client/ imports nothing outside client/ except protocol/',
  protocol: 'protocol/ imports only zod and itself (no node: or other packages; its tests may)',
  kernel: 'server/kernel/ never imports server/features, http, realtime, app, cli or demo',
  transport: 'server/http and server/realtime never import server/features',
  featureIndex: (feature) => `features/${feature} is imported from outside only through features/${feature}/index.js`,
  featureCycle: 'no cycles between folders under server/features',
  serverCycle: 'no cycles between the top-level folders of server/',
};
const KERNEL_MAY_NOT = new Set(['features', 'http', 'realtime', 'app', 'cli', 'demo']);

// ---------------------------------------------------------------------------------------------------
// Reading import specifiers. A small tokenizer rather than regular expressions over the text, so that
// imports in comments or strings do not count, and multi-line import lists do.

// Words after which a slash starts a regular expression rather than a division.
const KEYWORDS_BEFORE_REGEX = new Set(
  'return typeof instanceof in of new delete void throw case do else yield await'.split(' '),
);

function tokenize(src) {
  const tokens = [];
  const braces = []; // '{' for a block or object, '${' for a template substitution
  let i = 0;
  let line = 1;
  const n = src.length;
  const push = (t, v, at = line) => tokens.push({ t, v, line: at });
  // Reads template text from i up to the closing backtick or the next `${`.
  const template = () => {
    while (i < n) {
      const c = src[i];
      if (c === '\\') i += 2;
      else if (c === '`') {
        i++;
        push('tpl', '');
        return;
      } else if (c === '$' && src[i + 1] === '{') {
        i += 2;
        braces.push('${');
        return;
      } else {
        if (c === '\n') line++;
        i++;
      }
    }
  };
  while (i < n) {
    const c = src[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\uFEFF') {
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (src[k] === '\n') line++;
      i = stop;
    } else if (c === '"' || c === "'") {
      // A string ends at its quote or, unterminated (an apostrophe in JSX text), at the line's end.
      let v = '';
      i++;
      while (i < n && src[i] !== c && src[i] !== '\n') {
        if (src[i] === '\\') {
          if (src[i + 1] === '\n') line++;
          v += src[i + 1] ?? '';
          i += 2;
        } else v += src[i++];
      }
      if (src[i] === c) i++;
      push('str', v);
    } else if (c === '`') {
      i++;
      template();
    } else if (c === '}' && braces.at(-1) === '${') {
      braces.pop();
      i++;
      template();
    } else if (c === '/' && regexMayStart(tokens.at(-1))) {
      // A regular expression literal: skip it up to its closing slash (not one inside a class).
      let inClass = false;
      i++;
      while (i < n && src[i] !== '\n') {
        const d = src[i];
        if (d === '\\') i++;
        else if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        i++;
      }
      i++;
      while (i < n && /[a-z]/i.test(src[i])) i++;
      push('re', '');
    } else if (/[A-Za-z_$\d]/.test(c) || c > '\x7f') {
      const start = i;
      while (i < n && (/[A-Za-z_$\d]/.test(src[i]) || src[i] > '\x7f')) i++;
      push('id', src.slice(start, i));
    } else {
      if (c === '{') braces.push('{');
      else if (c === '}') braces.pop();
      push('p', c);
      i++;
    }
  }
  return tokens;
}

function regexMayStart(prev) {
  if (!prev) return true;
  if (prev.t === 'p') return !(prev.v === ')' || prev.v === ']' || prev.v === '}');
  if (prev.t === 'id') return KEYWORDS_BEFORE_REGEX.has(prev.v);
  return false;
}

/**
 * The module specifiers a source text imports: static imports (also `import type` and side-effect
 * imports), `export … from`, `import('…')` (calls and type positions) and `require('…')`.
 * @returns {{ spec: string, line: number }[]}
 */
export function extractImports(src) {
  const tok = tokenize(src);
  const found = [];
  const is = (k, t, v) => tok[k] !== undefined && tok[k].t === t && (v === undefined || tok[k].v === v);
  const add = (k) => found.push({ spec: tok[k].v, line: tok[k].line });
  const augmentations = [];
  let isModule = false;
  let depth = 0;
  for (let k = 0; k < tok.length; k++) {
    if (is(k, 'p', '{')) depth++;
    else if (is(k, 'p', '}')) depth--;
    if (tok[k].t !== 'id' || is(k - 1, 'p', '.')) continue;
    const word = tok[k].v;
    if (word === 'import') {
      if (is(k + 1, 'str')) add(k + 1);
      else if (is(k + 1, 'p', '(')) {
        if (is(k + 2, 'str')) add(k + 2);
      } else if (!is(k + 1, 'p', '.')) {
        // import a, { b as c, type D } from '…'; stop at the statement's end.
        for (let j = k + 1; j < tok.length; j++) {
          if (is(j, 'id', 'from') && is(j + 1, 'str')) {
            add(j + 1);
            break;
          }
          if (is(j, 'p', ';') || is(j, 'id', 'import') || is(j, 'id', 'export') || tok[j].t === 'str') break;
        }
      }
    } else if (word === 'export') {
      if (depth === 0) isModule = true;
      let j = k + 1;
      if (is(j, 'id', 'type')) j++;
      if (is(j, 'p', '*')) {
        j++;
        if (is(j, 'id', 'as')) j += 2;
      } else if (is(j, 'p', '{')) {
        while (j < tok.length && !is(j, 'p', '}')) j++;
        j++;
      } else continue;
      if (is(j, 'id', 'from') && is(j + 1, 'str')) add(j + 1);
    } else if (word === 'require' && is(k + 1, 'p', '(') && is(k + 2, 'str') && is(k + 3, 'p', ')')) {
      add(k + 2);
    } else if (word === 'declare' && is(k + 1, 'id', 'module') && is(k + 2, 'str')) {
      // In a module, `declare module 'vitest' { … }` augments (so names) that module, as TypeScript
      // counts it; in a script it declares an ambient module and names nothing.
      augmentations.push(found.length);
      add(k + 2);
    }
  }
  return isModule || found.length > augmentations.length ? found : found.filter((_, i) => !augmentations.includes(i));
}

// ---------------------------------------------------------------------------------------------------
// The rules, on repository paths ('server/features/cases/index.ts'); no file system needed.

const top = (rel) => rel.split('/')[0];

/** The folder of server/ a path is in ('kernel', 'features', …); a file right in server/ is its own. */
export function serverFolder(rel) {
  const parts = rel.split('/');
  if (parts[0] !== 'server' || parts.length < 2) return null;
  return parts.length === 2 ? parts[1].replace(/\.[^.]+$/, '') : parts[1];
}

/** The feature a path belongs to: 'cases' for server/features/cases/… */
export function featureOf(rel) {
  const m = /^server\/features\/([^/]+)\/./.exec(rel);
  return m ? m[1] : null;
}

const isFeatureIndex = (rel, feature) =>
  /^(?:index(?:\.[cm]?[jt]sx?)?)?$/.test(rel.slice(`server/features/${feature}/`.length)) ||
  rel === `server/features/${feature}`;

/** Test code: test files and test-support folders inside another folder (server/test-support is a layer). */
export function isTestCode(rel) {
  return /\.test\.[cm]?[jt]sx?$/.test(rel) || (/\/test-support\//.test(rel) && !rel.startsWith('server/test-support/'));
}

/** The repository path a relative specifier points to (unresolved extension), or null for a package. */
export function resolveSpecifier(from, spec) {
  if (!spec.startsWith('./') && !spec.startsWith('../') && spec !== '.' && spec !== '..') return null;
  return posix.normalize(posix.join(posix.dirname(from), spec)).replace(/\/$/, '');
}

/**
 * The rule an import breaks, or null. `from` is the importing file's repository path.
 * @returns {string | null}
 */
export function checkImport(from, spec) {
  const target = resolveSpecifier(from, spec);
  const area = top(from);
  if (area === 'protocol') {
    // The client bundles protocol/; its tests are not bundled and may use vitest and node: modules.
    if (target === null) return spec === 'zod' || spec.startsWith('zod/') || isTestCode(from) ? null : RULES.protocol;
    return top(target) === 'protocol' ? null : RULES.protocol;
  }
  if (target === null) return null;
  const to = top(target);
  if ((area === 'signing' || area === 'certs') && (to === 'server' || to === 'client' || to === 'protocol')) {
    return RULES.libraries;
  }
  if (area === 'client' && to !== 'client' && to !== 'protocol') return RULES.client;
  if (area === 'server' && to === 'server') {
    const mine = serverFolder(from);
    const theirs = serverFolder(target);
    if (mine === 'kernel' && KERNEL_MAY_NOT.has(theirs)) return RULES.kernel;
    if ((mine === 'http' || mine === 'realtime') && theirs === 'features') return RULES.transport;
  }
  const feature = featureOf(target);
  if (feature !== null && featureOf(from) !== feature && !isFeatureIndex(target, feature)) {
    return RULES.featureIndex(feature);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// The whole tree: per-import rules plus the two folder graphs and their cycles.

function listSources(root) {
  const files = [];
  const walk = (rel) => {
    let entries;
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch (err) {
      if (err.code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name) && !SKIPPED_DIRS.has(child) && !e.name.startsWith('.')) walk(child);
      } else if (e.isFile() && SOURCE.test(e.name)) files.push(child);
    }
  };
  for (const dir of SCANNED) walk(dir);
  return files.sort();
}

/** Adds an edge a → b to a graph, remembering the first import that made it. */
function addEdge(graph, a, b, witness) {
  if (!graph.has(a)) graph.set(a, new Map());
  if (!graph.get(a).has(b)) graph.get(a).set(b, witness);
}

/**
 * One cycle per strongly connected component of more than one node (Tarjan), as a node list a → … → a,
 * with the component's members: breaking that cycle may leave another one among them.
 * @returns {{ cycle: string[], members: string[] }[]}
 */
export function findCycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let counter = 0;
  const nodes = [...new Set([...graph.keys(), ...[...graph.values()].flatMap((m) => [...m.keys()])])].sort();
  const connect = (v) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(new Set(component));
    }
  };
  for (const v of nodes) if (!index.has(v)) connect(v);
  // In each component, the shortest way from its first node back to itself (breadth first).
  return components.map((members) => {
    const start = [...members].sort()[0];
    const previous = new Map([[start, null]]);
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift();
      for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
        if (!members.has(w)) continue;
        if (w === start) {
          const cycle = [start];
          for (let x = v; x !== start; x = previous.get(x)) cycle.splice(1, 0, x);
          return { cycle: [...cycle, start], members: [...members].sort() };
        }
        if (!previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    throw new Error('a strongly connected component without a cycle');
  });
}

const edgeList = (graph) =>
  [...graph.keys()].sort().flatMap((a) => [...graph.get(a).keys()].sort().map((b) => `${a} → ${b}`));

/**
 * Checks the tree below `root`.
 * @returns {{ files: number, imports: number, violations: string[], featureEdges: string[], serverEdges: string[] }}
 */
export function checkTree(root) {
  const files = listSources(root);
  const violations = [];
  const features = new Map();
  const server = new Map();
  let imports = 0;
  for (const file of files) {
    for (const { spec, line } of extractImports(readFileSync(path.join(root, file), 'utf8'))) {
      imports++;
      const where = { file, line, spec };
      const broken = checkImport(file, spec);
      if (broken) violations.push(`${file}:${line} imports ${spec} — ${broken}`);
      const target = resolveSpecifier(file, spec);
      if (target === null) continue;
      // Tests are leaves: a feature's test may use server/test-support, which builds the whole app. A
      // breach of the folder rules is left out too (fixing it removes the edge: one bad import, one
      // line); an import past a feature's index still makes the two features depend on each other.
      const layering = broken !== null && broken !== RULES.featureIndex(featureOf(target));
      if (layering || isTestCode(file)) continue;
      const [fa, fb] = [featureOf(file), featureOf(target)];
      if (fa && fb && fa !== fb) addEdge(features, fa, fb, where);
      const [sa, sb] = [serverFolder(file), serverFolder(target)];
      if (sa && sb && sa !== sb) addEdge(server, sa, sb, where);
    }
  }
  const describe = (graph, { cycle, members }, rule) => {
    const [first, ...rest] = cycle.slice(1).map((b, k) => ({ a: cycle[k], b, via: graph.get(cycle[k]).get(b) }));
    const others = rest.map(({ a, b, via }) => `${a} → ${b}: ${via.file}:${via.line}`);
    const among = members.length > cycle.length - 1 ? `; all of ${members.join(', ')} reach each other` : '';
    return `${first.via.file}:${first.via.line} imports ${first.via.spec} — ${rule}: ${cycle.join(' → ')} (${others.join('; ')}${among})`;
  };
  for (const found of findCycles(features)) violations.push(describe(features, found, RULES.featureCycle));
  for (const found of findCycles(server)) violations.push(describe(server, found, RULES.serverCycle));
  return { files: files.length, imports, violations, featureEdges: edgeList(features), serverEdges: edgeList(server) };
}

function main() {
  const root = path.resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
  const result = checkTree(root);
  for (const v of result.violations) console.log(v);
  const count = `${result.files} files, ${result.imports} imports checked, ${result.violations.length} violations`;
  console.log(`boundaries: ${count}; features: ${result.featureEdges.join(', ') || 'none'}`);
  console.log(`server folders: ${result.serverEdges.join(', ') || 'none'}`);
  process.exitCode = result.violations.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
