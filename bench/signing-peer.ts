// The signing benchmark belongs to bench/signing.ts (issue 2, `npm run bench:signing`); the overall
// run executes it as it is, in a child process, and takes its figures from the text it prints: each
// line of the form `<label> … <number> ms …` becomes a row, and lines naming a ratio keep it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { row, type BenchRow } from './support/results.js';

const script = fileURLToPath(new URL('./signing.ts', import.meta.url));

export async function benchSigning(o: { timeoutMs: number }): Promise<{ rows: BenchRow[]; raw: { output: string; exitCode: number | null } }> {
  if (!existsSync(script)) {
    return { rows: [row('Signing', 'bench/signing.ts not present (issue 2)', Number.NaN, '')], raw: { output: '', exitCode: null } };
  }
  const { output, exitCode } = await runScript(o.timeoutMs);
  const rows = parseSigningOutput(output);
  if (exitCode !== 0) rows.push(row('Signing', `bench/signing.ts exited with ${exitCode}`, Number.NaN, ''));
  return { rows, raw: { output, exitCode } };
}

function runScript(timeoutMs: number): Promise<{ output: string; exitCode: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ output, exitCode: code });
    });
  });
}

/** Lines carrying a millisecond figure; a `×` or `x` ratio on the same line is kept as the note. */
export function parseSigningOutput(text: string): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+/g, ' ').trim();
    const m = /^(.*?)[\s|:]+(\d+(?:\.\d+)?)\s*ms\b(.*)$/.exec(line);
    if (!m) continue;
    const label = m[1]!.replace(/[|:]+$/, '').trim();
    if (!label) continue;
    rows.push(row('Signing (bench/signing.ts)', label, Number(m[2]), 'ms', m[3]!.trim() ? { note: m[3]!.replace(/^[\s|]+/, '').trim().slice(0, 160) } : {}));
  }
  return rows;
}
