// `tongban verify PATH... [--trust PEM]... [--json] [--jobs N] [--data DIR]`: verifies signed PDFs and
// evidence packages (*.zip), named one by one or found in folders (recursively), all in this one
// process, a batch on --jobs worker threads (verify-pool.ts).
// Trust: our root from the data dir (when there is one) plus each --trust.
// Output: one named PDF keeps the per-signature lines; otherwise a summary table (file, signatures,
// result), with a progress bar on stderr while a terminal watches. --json: one JSON line per file
// on stdout and nothing else. Exit 0 only when every file holds; 1 otherwise; 2 for bad usage (and,
// for one named PDF, for a file that is no readable PDF, as before batches existed).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fromPem } from '../../../certs/encoding.js';
// From the verifier's own modules, not signing/index.js: the bundle initialises every module a
// command imports, and the signing half is not needed to verify.
import { verifyPdf } from '../../../signing/verify/verify-pdf.js';
import { reportJson, type SignatureReport, type VerificationReport } from '../../../signing/verify/report.js';
import { databaseFile } from '../../kernel/store/paths.js';
import { CliError, parseOptions, resolveDataDir, writeStdout, type Command } from '../command.js';
import { asCliError, maxPdfBytes, readInputFile } from './pdf-input.js';
import { loadTrustSnapshot, saveTrustSnapshot } from './trust-snapshot.js';
import { signatureOk, type Input, type Kind, type Outcome, type TrustMaterial } from './verify-outcome.js';

const USAGE = 'usage: tongban verify PATH... [--trust PEM]... [--json] [--jobs N] [--data DIR]';

/**
 * The data directory's trust material: from its snapshot while that still holds
 * (trust-snapshot.ts), else from the database, which SQLite and the PKI load for. TONGBAN_DEBUG
 * says on stderr which it was and why. With the metadata in PostgreSQL (TONGBAN_DATABASE_URL, a
 * cluster's node) always from there: the snapshot stands for an unchanged SQLite file only.
 */
async function platformMaterial(dataDir: string): Promise<TrustMaterial> {
  if (process.env.TONGBAN_DATABASE_URL) {
    const { readPlatformTrust } = await import('./platform-trust.js');
    return (await readPlatformTrust(dataDir)).trust;
  }
  const dbFile = databaseFile(dataDir);
  if (!existsSync(dbFile)) return { trustAnchors: [], intermediates: [], crls: [] };
  const debug = (line: string) => process.env.TONGBAN_DEBUG && process.stderr.write(`tongban: ${line}\n`);
  const snapshot = loadTrustSnapshot(dataDir, dbFile, new Date());
  if ('trust' in snapshot) {
    debug('trust from the snapshot');
    return snapshot.trust;
  }
  const started = Date.now();
  const { readPlatformTrust } = await import('./platform-trust.js');
  const read = await readPlatformTrust(dataDir, dbFile);
  const saved = read.due
    ? saveTrustSnapshot(dataDir, dbFile, read.trust, read.due, started)
    : 'not written: CRLs were re-issued';
  debug(`trust from the database (${snapshot.reason}); snapshot ${saved}`);
  return read.trust;
}

function trustFile(path: string): Uint8Array[] {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    throw new CliError(`cannot read trust file ${path}`);
  }
  const certs = fromPem(text);
  if (!certs.length) throw new CliError(`${path} holds no PEM certificate`);
  return certs;
}

function line(s: SignatureReport): string {
  const who = s.signer ? `${s.signer.name} (serial ${s.signer.serial}, issuer ${s.signer.issuer})` : 'unknown signer';
  const ok = signatureOk(s);
  const facts = [
    s.intact ? 'intact' : 'NOT INTACT',
    s.trusted ? 'trusted' : 'NOT TRUSTED',
    s.revoked ? 'REVOKED' : 'not revoked',
    s.level,
    s.timestamp ? `timestamp ${s.timestamp.time}${s.timestamp.valid ? '' : ' (INVALID)'}` : 'no timestamp',
    s.coversWholeDocument ? 'covers the whole document' : 'followed by later updates',
    s.modifiedAfter ? 'MODIFIED AFTER SIGNING' : 'no changes after signing',
  ];
  const why = ok || !s.problems.length ? '' : ` [${s.problems.join('; ')}]`;
  return `${ok ? 'OK ' : 'BAD'} ${s.field}: ${who}: ${facts.join(', ')}${why}`;
}

function human(r: VerificationReport): string {
  const lines = r.signatures.map(line);
  if (!r.signatures.length) lines.push('no signatures');
  lines.push(r.valid ? 'VALID' : 'NOT VALID');
  return `${lines.join('\n')}\n`;
}

const kindOf = (name: string): Kind | undefined =>
  /\.pdf$/i.test(name) ? 'pdf' : /\.zip$/i.test(name) ? 'evidence' : undefined;

/** The files named, and the *.pdf and *.zip under each folder named (sorted, depth first). */
function collect(paths: readonly string[]): Input[] {
  const found: Input[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      throw new CliError(`cannot read folder ${dir}`);
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && kindOf(e.name)) found.push({ file: path, kind: kindOf(e.name)! });
    }
  };
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new CliError(`cannot read ${path}`);
    }
    if (isDir) walk(path);
    else found.push({ file: path, kind: kindOf(path) ?? 'pdf' });
  }
  return found;
}

/** A one-line bar redrawn in place on a terminal's stderr; silent otherwise (logs, pipes, tests). */
function progressBar(total: number): { show(done: number, file: string): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  if (!tty || total < 2) return { show: () => undefined, end: () => undefined };
  const columns = () => Math.max(40, process.stderr.columns || 80);
  return {
    show(done, file) {
      const width = 24;
      const filled = Math.round((width * done) / total);
      const head = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} `;
      const room = columns() - head.length - 1;
      const name = file.length > room ? `…${file.slice(file.length - room + 1)}` : file;
      process.stderr.write(`\r\x1b[2K${head}${name}`);
    },
    end() {
      process.stderr.write('\r\x1b[2K');
    },
  };
}

const width = (s: string) => [...s].reduce((n, c) => n + ((c.codePointAt(0) ?? 0) > 0x2e7f ? 2 : 1), 0);
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

function table(outcomes: readonly Outcome[], base: string): string {
  const rows = outcomes.map((o) => [
    relative(base, o.file) || o.file,
    o.signatures === null ? '-' : `${o.signatures}${o.kind === 'evidence' ? ' (package)' : ''}`,
    o.valid ? 'VALID' : `NOT VALID: ${o.reason}`,
  ]);
  const head = ['FILE', 'SIGNATURES', 'RESULT'];
  const w = [0, 1].map((i) => Math.max(width(head[i]!), ...rows.map((r) => width(r[i]!))));
  const fmt = (r: string[]) => `${pad(r[0]!, w[0]!)}  ${pad(r[1]!, w[1]!)}  ${r[2]}`;
  const bad = outcomes.filter((o) => !o.valid).length;
  const summary = `${outcomes.length} file${outcomes.length === 1 ? '' : 's'}: ${outcomes.length - bad} valid, ${bad} not valid`;
  return `${[fmt(head), ...rows.map(fmt), summary].join('\n')}\n`;
}

/** --jobs: worker threads for a batch; by default one per core the process may use. */
function jobCount(flag: string | undefined): number {
  if (flag === undefined) return availableParallelism();
  if (!/^[1-9]\d{0,2}$/.test(flag)) throw new CliError(`--jobs must be a whole number from 1 to 999, not ${flag}`);
  return Number(flag);
}

export const verify: Command = {
  name: 'verify',
  usage:
    'verify PATH... [--trust PEM]... [--json] [--jobs N] [--data DIR]   check signed PDFs and evidence *.zip, files or folders (exit 0 only if all hold)',
  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      {
        trust: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        jobs: { type: 'string' },
        data: { type: 'string' },
      },
      true,
    );
    if (!positionals.length) throw new CliError(USAGE);
    const jobs = jobCount(values.jobs);
    const limit = maxPdfBytes();
    const inputs = collect(positionals);
    if (!inputs.length) throw new CliError(`no *.pdf or *.zip files in ${positionals.join(', ')}`);
    const extraAnchors = (values.trust ?? []).flatMap(trustFile);
    const platform = await platformMaterial(resolveDataDir(values.data));
    const trust = {
      trustAnchors: [...platform.trustAnchors, ...extraAnchors],
      intermediates: platform.intermediates,
      crls: platform.crls,
    };
    const single = inputs.length === 1 && inputs[0]!.kind === 'pdf' && !statSync(positionals[0]!).isDirectory();
    if (single) {
      const file = inputs[0]!.file;
      const pdf = readInputFile(file, limit);
      let report: VerificationReport;
      try {
        report = verifyPdf(pdf, { ...trust, maxBytes: limit });
      } catch (err) {
        throw asCliError(err, file);
      }
      writeStdout(
        values.json ? `${JSON.stringify({ file, kind: 'pdf', ...(reportJson(report) as object) })}\n` : human(report),
      );
      return report.valid ? 0 : 1;
    }

    const bar = progressBar(inputs.length);
    // The pool's module (and node:worker_threads) loads only for a batch.
    const { verifyBatch } = await import('./verify-pool.js');
    const outcomes = await verifyBatch(inputs, {
      trust,
      limit,
      jobs,
      progress: (done, file) => bar.show(done, file),
      emit: (o) => {
        if (values.json) process.stdout.write(`${JSON.stringify({ file: o.file, kind: o.kind, ...o.json })}\n`);
      },
    });
    bar.end();
    if (!values.json) process.stdout.write(table(outcomes, process.cwd()));
    return outcomes.every((o) => o.valid) ? 0 : 1;
  },
};
