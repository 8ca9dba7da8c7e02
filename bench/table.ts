// Renders the results as one plain-text table (plus the size table and the measured break-downs).
import { fmtMs, fmtSample, type Ratio, type Sample } from './lib/stats.ts';

export interface Row {
  id: string;
  what: string;
  measured: string;
  baseline: string;
  figure: string;
  spread: string;
  goal: string;
  met: boolean | undefined;
  /** A further point of comparison that is not the goal's baseline (e.g. curl beside the minimal Node script). */
  reference?: string;
}

export const ratioRow = (
  id: string,
  what: string,
  a: Sample,
  b: Sample,
  r: Ratio,
  goal: number,
  baselineLabel = '',
): Row => ({
  id,
  what,
  measured: fmtSample(a),
  baseline: `${baselineLabel}${fmtSample(b)}`,
  figure: r.median.toFixed(3),
  spread: `${r.min.toFixed(2)}–${r.max.toFixed(2)}`,
  goal: `<= ${goal.toFixed(2)}`,
  met: r.median <= goal,
});

function pad(cells: string[][]): string[] {
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length))) ?? [];
  return cells.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd(),
  );
}

export function renderTable(rows: Row[]): string {
  const head = [
    '#',
    'benchmark',
    'measured: median [min–max]',
    'baseline: median [min–max]',
    'figure',
    'pair spread',
    'goal',
    'met',
    'reference',
  ];
  const body = rows.map((r) => [
    r.id,
    r.what,
    r.measured,
    r.baseline,
    r.figure,
    r.spread,
    r.goal,
    r.met === undefined ? '-' : r.met ? 'MET' : 'MISSED',
    r.reference ?? '',
  ]);
  const lines = pad([head, ...body]);
  const rule = '-'.repeat(Math.max(...lines.map((l) => l.length)));
  return [lines[0], rule, ...lines.slice(1)].join('\n');
}

export function renderPlain(head: string[], rows: string[][]): string {
  const lines = pad([head, ...rows]);
  const rule = '-'.repeat(Math.max(...lines.map((l) => l.length)));
  return [lines[0], rule, ...lines.slice(1)].join('\n');
}

export const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
export const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)}%`;
export { fmtMs, fmtSample };
