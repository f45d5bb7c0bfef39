// `tongban verify` on many files at once, through the built CLI: a folder of signed PDFs (one in a
// subfolder tampered with) and an evidence package, checked in one process. The summary table,
// the --json lines, the exit codes, and the progress bar a terminal sees (through a pty) but a pipe
// does not.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../signing/test-support/tools.js';
import { Database } from '../../kernel/store/Database.js';
import { databaseFile } from '../../kernel/store/paths.js';
import { withFlippedByte } from '../../test-support/package-tools.js';
import { signedPdfSet, type SignedPdfSet } from '../../test-support/signed-pdf-set.js';

const CLI = join(process.cwd(), 'bin', 'tongban.js');
let tmp: ReturnType<typeof tempDir>;
let set: SignedPdfSet;
let folder: string;
let tampered: string;

function tongban(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TONGBAN_DEBUG: '', TONGBAN_DATA: '' },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of `file` with one byte changed inside the first stream's data (signed, never parsed by the verifier). */
function tamperedCopy(file: string, to: string): string {
  const bytes = readFileSync(file);
  const at = bytes.indexOf('stream\n') + 20;
  expect(at).toBeGreaterThan(20);
  bytes[at]! ^= 0x01;
  writeFileSync(to, bytes);
  return to;
}

beforeAll(async () => {
  tmp = tempDir('cli-verify-batch');
  folder = join(tmp.dir, 'batch');
  set = await signedPdfSet({ dir: tmp.dir, count: 4, pages: 2, outDir: folder, evidence: true });
  mkdirSync(join(folder, 'later'));
  tampered = tamperedCopy(set.files[1]!, join(folder, 'later', 'tampered.pdf'));
  // Not a PDF nor a package: a folder walk leaves it alone.
  writeFileSync(join(folder, 'notes.txt'), 'not for the verifier\n');
}, 120_000);

afterAll(() => tmp?.remove());

describe('tongban verify, many files', () => {
  it('prints a table of a folder (recursing), with the tampered file named, and exits 1', () => {
    const r = tongban(['verify', folder, '--data', set.dataDir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^FILE\s+SIGNATURES\s+RESULT$/);
    expect(lines).toHaveLength(1 + 6 + 1);
    const row = (name: string) => lines.find((l) => l.includes(name)) ?? '';
    for (const f of set.files) expect(row(f.slice(f.lastIndexOf('/') + 1))).toMatch(/\s1\s+VALID$/);
    expect(row('evidence-1.zip')).toMatch(/\s1 \(package\)\s+VALID$/);
    expect(row('tampered.pdf')).toMatch(/\s1\s+NOT VALID: Signature1: not intact/);
    expect(row('notes.txt')).toBe('');
    expect(lines.at(-1)).toBe('6 files: 5 valid, 1 not valid');
  });

  it('--json prints one parseable line per file and nothing else', () => {
    const r = tongban(['verify', folder, '--json', '--data', set.dataDir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.file).sort()).toEqual([...set.files, set.evidence!, tampered].sort());
    expect(lines.filter((l) => !l.valid).map((l) => l.file)).toEqual([tampered]);
    const pdf = lines.find((l) => l.file === set.files[0]);
    expect(pdf).toMatchObject({ kind: 'pdf', valid: true, signatures: [{ field: 'Signature1', level: 'B-T' }] });
    const zip = lines.find((l) => l.file === set.evidence);
    expect(zip).toMatchObject({ kind: 'evidence', valid: true, problems: [] });
    expect((zip!.checked as string[]).join('\n')).toMatch(/every signature valid and trusted/);
  });

  it('--jobs N checks on N worker threads and prints the same lines, in the same order, as --jobs 1', () => {
    const one = tongban(['verify', folder, '--json', '--jobs', '1', '--data', set.dataDir]);
    const three = tongban(['verify', folder, '--json', '--jobs', '3', '--data', set.dataDir]);
    expect(one.status).toBe(1);
    expect(three).toEqual(one);
    // The order is the folder walk's (sorted, depth first), not the order the workers finish in.
    const files = one.stdout
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { file: string }).file);
    expect(files).toEqual([set.evidence!, tampered, ...set.files]);
    const table = (jobs: string) => tongban(['verify', folder, '--jobs', jobs, '--data', set.dataDir]);
    expect(table('6')).toEqual(table('1'));
  });

  it('exits 0 when every file holds: files named one by one, trust from --trust alone', () => {
    const r = tongban(['verify', ...set.files, set.evidence!, '--trust', set.rootPem, '--data', join(tmp.dir, 'none')]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('5 files: 5 valid, 0 not valid');
    expect(r.status).toBe(0);
  });

  it('a damaged package or an unreadable PDF among good files fails the run (1) and is named', async () => {
    const dir = join(tmp.dir, 'mixed');
    mkdirSync(dir);
    copyFileSync(set.files[0]!, join(dir, 'good.pdf'));
    writeFileSync(join(dir, 'empty.pdf'), '');
    writeFileSync(join(dir, 'evidence-bad.zip'), await withFlippedByte(readFileSync(set.evidence!), 'audit.jsonl'));
    const r = tongban(['verify', dir, '--json', '--data', set.dataDir]);
    expect(r.status).toBe(1);
    const byName = new Map(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { file: string; valid: boolean; error?: string })
        .map((l) => [l.file.slice(dir.length + 1), l]),
    );
    expect(byName.get('good.pdf')?.valid).toBe(true);
    expect(byName.get('empty.pdf')).toMatchObject({ valid: false, error: expect.stringMatching(/empty/) });
    expect(byName.get('evidence-bad.zip')).toMatchObject({
      valid: false,
      problems: [{ file: 'audit.jsonl', message: 'SHA-256 differs from SHA256SUMS' }],
    });
  });

  it('a missing or stale stored CRL is issued anew through the token, a current one is kept', () => {
    const crlRows = () => {
      const db = Database.open(databaseFile(set.dataDir));
      try {
        return db.sql.prepare('SELECT ca_id, number, next_update FROM pki_crls ORDER BY ca_id').all() as {
          ca_id: string;
          number: number;
          next_update: string;
        }[];
      } finally {
        db.close();
      }
    };
    const first = tongban(['verify', set.files[0]!, '--data', set.dataDir]);
    expect(first.stdout).toMatch(/^OK .*trusted, not revoked/);
    const before = crlRows();
    expect(before.map((r) => r.ca_id)).toEqual(['cixi', 'root']);
    const current = tongban(['verify', set.files[0]!, '--data', set.dataDir]);
    expect(current).toEqual(first);
    expect(crlRows()).toEqual(before);

    const db = Database.open(databaseFile(set.dataDir));
    db.sql.prepare("UPDATE pki_crls SET next_update = '2000-01-01T00:00:00.000Z'").run();
    db.close();
    const stale = tongban(['verify', set.files[0]!, '--data', set.dataDir]);
    expect(stale).toEqual(current);
    const after = crlRows();
    expect(after.map((r) => r.ca_id)).toEqual(before.map((r) => r.ca_id));
    for (const [i, r] of after.entries()) {
      expect(r.number).toBeGreaterThan(before[i]!.number);
      expect(new Date(r.next_update).getTime()).toBeGreaterThan(Date.now());
    }
  });

  it('usage errors exit 2 with one line', () => {
    const emptyDir = join(tmp.dir, 'empty-folder');
    mkdirSync(emptyDir);
    for (const [args, message] of [
      [[], /usage: tongban verify PATH/],
      [[join(tmp.dir, 'no-such-file.pdf')], /cannot read/],
      [[emptyDir], /no \*\.pdf or \*\.zip files/],
      [[folder, '--colour'], /Unknown option '--colour'/],
      [[folder, '--jobs', '0'], /--jobs must be a whole number from 1 to 999, not 0/],
      [[folder, '--jobs', 'many'], /--jobs must be a whole number/],
      [[folder, '--trust', join(folder, 'notes.txt')], /holds no PEM certificate/],
    ] as const) {
      const r = tongban(['verify', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('shows a progress bar on a terminal, on stderr only', async () => {
    const table = join(tmp.dir, 'table.txt');
    const quoted = [process.execPath, CLI, 'verify', folder, '--data', set.dataDir].map((a) => `'${a}'`).join(' ');
    // stdout to a file, stderr on the pty: what the terminal shows is stderr alone.
    const child = spawn('script', ['-qfec', `${quoted} > '${table}'`, '/dev/null'], {
      env: { ...process.env, TONGBAN_DATA: '' },
    });
    let shown = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (shown += chunk));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status).toBe(1);
    expect(shown).toMatch(/\[-{24}\] 0\/6 /);
    expect(shown).toMatch(/\[#{4}-{20}\] 1\/6 /);
    expect(shown).toMatch(/\[#{20}-{4}\] 5\/6 /);
    // The bar is erased before the table is printed.
    expect(shown.trimEnd().endsWith('\x1b[2K')).toBe(true);
    expect(readFileSync(table, 'utf8')).toMatch(/6 files: 5 valid, 1 not valid\n$/);
  });
});
