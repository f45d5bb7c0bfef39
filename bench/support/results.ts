// One row of the benchmark table: our figure, and (when there is one) the named peer's figure
// measured in the same run, or a published anchor that was not measured here.
export interface BenchRow {
  readonly group: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly peer?: {
    readonly name: string;
    readonly value: number;
    /** false: a published figure quoted for comparison, not measured in this run. */
    readonly measured: boolean;
  };
  /** value / peer.value (how many times the peer's figure ours is). */
  readonly ratio?: number;
  readonly note?: string;
}

export function row(
  group: string,
  metric: string,
  value: number,
  unit: string,
  extra: Omit<BenchRow, 'group' | 'metric' | 'value' | 'unit'> = {},
): BenchRow {
  const ratio = extra.peer && extra.peer.value !== 0 ? value / extra.peer.value : undefined;
  return { group, metric, value, unit, ...extra, ...(ratio === undefined ? {} : { ratio }) };
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank]!;
}

/** Least-squares slope of y over x (e.g. RSS bytes per second). */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export const round = (x: number, digits = 3) => Number(x.toPrecision(digits));
