// Conformance outcomes and their comparisons. Running the cases belongs to conformance.ts (runtimes
// engineer); this file only adapts its results and compares them: against the expected outcome and
// between the unoptimized and optimized module (which must behave identically, byte for byte).
import { PipelineError } from '../errors.ts';

export interface Outcome {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Files the case inspects after the run (null: missing). */
  files?: Record<string, string | null>;
  /** Set when the module did not run to its end (trap, timeout). */
  error?: string;
}

export interface CaseRun {
  /** A stable name of the case, e.g. `eval 1+2*3`. */
  name: string;
  args: string[];
  actual: Outcome;
  /** Present when the case has an exact expected outcome to compare against. */
  expected?: Outcome;
  /** Present when the case runner already judged the case; the message says why it failed. */
  failure?: string;
}

/** Runs a language's conformance cases (those that apply to `version`, when given) on one module. */
export type CaseRunner = (wasmPath: string, language: string, version?: string) => Promise<CaseRun[]>;

const show = (s: string): string => JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);

function firstDifference(a: Outcome, b: Outcome): { field: string; a: string; b: string } | undefined {
  if ((a.error ?? '') !== (b.error ?? ''))
    return { field: 'run error', a: show(a.error ?? 'none'), b: show(b.error ?? 'none') };
  if (a.exitCode !== b.exitCode) return { field: 'exitCode', a: String(a.exitCode), b: String(b.exitCode) };
  if (a.stdout !== b.stdout) return { field: 'stdout', a: show(a.stdout), b: show(b.stdout) };
  if (a.stderr !== b.stderr) return { field: 'stderr', a: show(a.stderr), b: show(b.stderr) };
  const fa = a.files ?? {};
  const fb = b.files ?? {};
  for (const path of [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort()) {
    const x = fa[path] ?? null;
    const y = fb[path] ?? null;
    if (x !== y)
      return { field: `file ${path}`, a: x === null ? 'no file' : show(x), b: y === null ? 'no file' : show(y) };
  }
  return undefined;
}

/** Every case must match its expected outcome. Throws ERR_CONFORMANCE naming the file, the case and the field. */
export function assertExpected(file: string, runs: CaseRun[]): void {
  for (const run of runs) {
    if (run.failure) {
      // conformance.ts names the module path first: keep its precise detail, name the file our way.
      const detail = run.failure.replace(/^.*?: case "/, 'case "');
      const message = detail.startsWith('case "')
        ? `${file}: conformance ${detail}`
        : `${file}: conformance case "${run.name}" failed: ${run.failure}`;
      throw new PipelineError('ERR_CONFORMANCE', message, {
        context: { file, case: run.name, args: run.args, actual: run.actual },
      });
    }
    if (!run.expected) continue;
    const diff = firstDifference(run.expected, run.actual);
    if (diff) {
      throw new PipelineError(
        'ERR_CONFORMANCE',
        `${file}: conformance case "${run.name}" ${diff.field}: expected ${diff.a}, found ${diff.b}`,
        { context: { file, case: run.name, args: run.args, expected: run.expected, actual: run.actual } },
      );
    }
  }
}

/** The optimized module must behave exactly like the unoptimized one on every case. */
export function assertSameBehaviour(unoptimizedFile: string, a: CaseRun[], optimizedFile: string, b: CaseRun[]): void {
  const byName = new Map(b.map((run) => [run.name, run]));
  for (const run of a) {
    const other = byName.get(run.name);
    if (!other) {
      throw new PipelineError(
        'ERR_CONFORMANCE',
        `${optimizedFile}: conformance case "${run.name}" did not run on the optimized module`,
      );
    }
    const diff = firstDifference(run.actual, other.actual);
    if (diff) {
      throw new PipelineError(
        'ERR_CONFORMANCE',
        `${optimizedFile}: behaves differently from ${unoptimizedFile} on conformance case "${run.name}" ${diff.field}: expected ${diff.a} (unoptimized), found ${diff.b} (optimized) — wasm-opt changed the program`,
        {
          context: {
            unoptimizedFile,
            optimizedFile,
            case: run.name,
            args: run.args,
            unoptimized: run.actual,
            optimized: other.actual,
          },
        },
      );
    }
  }
}
