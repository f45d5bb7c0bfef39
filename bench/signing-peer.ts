// The signing benchmark belongs to bench/signing.ts (issue 2, `npm run bench:signing`); the overall
// run executes it as it is, in a child process, and takes its figures from the markdown table it
// prints (operation, ours, peer, peer time, ratio).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { row, type BenchRow } from './support/results.js';

const script = fileURLToPath(new URL('./signing.ts', import.meta.url));

export async function benchSigning(o: {
  timeoutMs: number;
}): Promise<{ rows: BenchRow[]; raw: { output: string; exitCode: number | null } }> {
  if (!existsSync(script)) {
    return {
      rows: [row('Signing', 'bench/signing.ts not present (issue 2)', Number.NaN, '')],
      raw: { output: '', exitCode: null },
    };
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

/** Rows of its markdown table: `| operation | 12.3 ms | peer name | 45.6 ms | 0.27× |` (peer cells may be `—`). */
export function parseSigningOutput(text: string): BenchRow[] {
  const ms = (cell: string | undefined) =>
    cell && /^\d+(\.\d+)?\s*ms$/.test(cell) ? Number.parseFloat(cell) : undefined;
  const rows: BenchRow[] = [];
  for (const line of text.split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const ours = ms(cells[1]);
    if (cells.length !== 5 || ours === undefined) continue;
    const peer = ms(cells[3]);
    rows.push(
      row(
        'Signing (bench/signing.ts)',
        cells[0]!,
        ours,
        'ms',
        peer === undefined ? {} : { peer: { name: cells[2]!, value: peer, measured: true } },
      ),
    );
  }
  return rows;
}
