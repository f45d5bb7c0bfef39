// The bench outputs: one text table on stdout, the JSON of every row plus raw measurements, and
// an SVG chart (ours vs the peer, per row that has one, each pair scaled to its larger value).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { round, type BenchRow } from './results.js';

const fmt = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '' : String(round(x, 3)));

export function table(rows: readonly BenchRow[]): string {
  const head = ['group', 'metric', 'ours', 'unit', 'peer', 'peer value', 'ratio', 'note'];
  const body = rows.map((r) => [
    r.group,
    r.metric,
    fmt(r.value),
    r.unit,
    r.peer?.name ?? '',
    fmt(r.peer?.value),
    r.ratio === undefined ? '' : `${fmt(r.ratio)}×`,
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.min(i === 7 ? 200 : 60, Math.max(h.length, ...body.map((b) => b[i]!.length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function svgChart(rows: readonly BenchRow[], title: string): string {
  const pairs = rows.filter((r) => r.peer && Number.isFinite(r.value) && Number.isFinite(r.peer.value));
  const rowH = 44;
  const labelW = 520;
  const barW = 360;
  const height = 60 + pairs.length * rowH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 160}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${labelW}" y="32" width="12" height="10" fill="#2b6cb0"/><text x="${labelW + 16}" y="41">ours</text>`,
    `<rect x="${labelW + 60}" y="32" width="12" height="10" fill="#a0aec0"/><text x="${labelW + 76}" y="41">peer (measured) / anchor (hatched outline)</text>`,
  ];
  pairs.forEach((r, i) => {
    const y = 56 + i * rowH;
    const max = Math.max(Math.abs(r.value), Math.abs(r.peer!.value)) || 1;
    const w = (v: number) => Math.max(1, (barW * Math.abs(v)) / max);
    parts.push(
      `<text x="10" y="${y + 12}">${esc(`${r.group}: ${r.metric}`.slice(0, 80))}</text>`,
      `<text x="10" y="${y + 28}" fill="#555">${esc(`peer: ${r.peer!.name}`.slice(0, 80))}</text>`,
      `<rect x="${labelW}" y="${y}" width="${w(r.value)}" height="14" fill="#2b6cb0"/>`,
      `<text x="${labelW + w(r.value) + 4}" y="${y + 11}">${fmt(r.value)} ${esc(r.unit)}</text>`,
      r.peer!.measured
        ? `<rect x="${labelW}" y="${y + 17}" width="${w(r.peer!.value)}" height="14" fill="#a0aec0"/>`
        : `<rect x="${labelW}" y="${y + 17}" width="${w(r.peer!.value)}" height="14" fill="none" stroke="#a0aec0" stroke-dasharray="3,2"/>`,
      `<text x="${labelW + w(r.peer!.value) + 4}" y="${y + 28}">${fmt(r.peer!.value)} ${esc(r.unit)} (${fmt(r.ratio)}×)</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function writeOutputs(base: string, rows: readonly BenchRow[], raw: unknown, title: string): void {
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}.json`, `${JSON.stringify({ title, at: new Date().toISOString(), rows, raw }, null, 1)}\n`);
  writeFileSync(`${base}.svg`, `${svgChart(rows, title)}\n`);
}
