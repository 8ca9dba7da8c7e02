// Repeated measurements: a warm-up, then N runs of each variant interleaved (A B A B ...), so the noise
// of a shared machine hits every variant alike. Reports median and spread (min-max and IQR).

export interface Sample {
  /** Milliseconds of each measured run (warm-up excluded). */
  runs: number[];
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function summarize(runs: number[]): Sample {
  if (runs.length === 0) throw new Error('no runs to summarize');
  const s = [...runs].sort((x, y) => x - y);
  return {
    runs,
    median: quantile(s, 0.5),
    min: s[0] as number,
    max: s.at(-1) as number,
    q1: quantile(s, 0.25),
    q3: quantile(s, 0.75),
  };
}

export interface Variant {
  name: string;
  /** Untimed preparation before each run (fresh temp dirs, deleting outputs...). */
  before?: () => Promise<void>;
  /** The timed work. Return a duration in ms to override the wall time measured around it. */
  run: () => Promise<unknown>;
  after?: () => Promise<void>;
}

/** What every part of the bench is given: how many runs, and where progress lines go. */
export interface PartOptions {
  runs: number;
  log: (line: string) => void;
}

/** A part that measures one runtime version. */
export interface RuntimePartOptions extends PartOptions {
  lang: string;
  ver: string;
}

export interface MeasureOptions {
  runs: number;
  warmup?: number;
  log?: (line: string) => void;
  label?: string;
}

/** Runs every variant `warmup` times, then `runs` times interleaved; returns a Sample per variant name. */
export async function measure(variants: Variant[], options: MeasureOptions): Promise<Record<string, Sample>> {
  const times: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
  const warmup = options.warmup ?? 1;
  const log = options.log ?? (() => {});
  for (let i = -warmup; i < options.runs; i++) {
    for (const v of variants) {
      await v.before?.();
      const t0 = performance.now();
      const reported = await v.run();
      const ms = typeof reported === 'number' ? reported : performance.now() - t0;
      await v.after?.();
      if (i >= 0) (times[v.name] as number[]).push(ms);
      log(
        `[bench ${options.label ?? ''}] ${i < 0 ? 'warm-up' : `run ${i + 1}/${options.runs}`} ${v.name}: ${fmtMs(ms)}`,
      );
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summarize(v)]));
}

/** Ratio of medians, and the spread of per-pair ratios (run i of a / run i of b). */
export interface Ratio {
  median: number;
  min: number;
  max: number;
}

export function ratio(a: Sample, b: Sample): Ratio {
  const pairs = a.runs.map((x, i) => x / (b.runs[i] ?? b.median));
  const s = summarize(pairs);
  return { median: a.median / b.median, min: s.min, max: s.max };
}

export function fmtMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function fmtSample(s: Sample): string {
  return `${fmtMs(s.median)} [${fmtMs(s.min)}–${fmtMs(s.max)}]`;
}
