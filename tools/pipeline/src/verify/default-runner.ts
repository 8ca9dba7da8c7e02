// Adapts the runtimes engineer's conformance.ts (`runConformance(wasmPath, language)`) to CaseRun[].
// It is imported lazily so the static checks work (and are testable) on their own.
import { PipelineError } from '../errors.ts';
import type { CaseRun, CaseRunner, Outcome } from './cases.ts';

type Loose = Record<string, unknown>;

function outcome(value: unknown): Outcome | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Loose;
  const exitCode = v.exitCode ?? v.exit ?? v.code;
  if (typeof exitCode !== 'number') return undefined;
  return { stdout: String(v.stdout ?? ''), stderr: String(v.stderr ?? ''), exitCode };
}

/** Normalizes one result of runConformance, whatever its exact field names. */
export function toCaseRun(result: unknown, index: number): CaseRun {
  const r = (result ?? {}) as Loose;
  const c = (r.case ?? r) as Loose;
  const args = Array.isArray(c.args) ? c.args.map(String) : [];
  const name = String(c.name ?? c.id ?? (args.join(' ') || `case ${index + 1}`));
  const actual = outcome(r.actual ?? r.result ?? r.outcome ?? r);
  if (!actual) throw new Error(`conformance result ${index} has no actual outcome`);
  const ok = r.ok ?? r.pass ?? r.passed;
  const problems = r.failures ?? r.mismatches ?? r.errors ?? r.diff ?? r.message;
  const failure =
    ok === false
      ? Array.isArray(problems)
        ? problems.map(String).join('; ')
        : String(problems ?? 'did not match the expected outcome')
      : undefined;
  return { name, args, actual, ...(failure ? { failure } : {}) };
}

export const conformanceRunner: CaseRunner = async (wasmPath, language) => {
  const specifier = './conformance.ts';
  let api: { runConformance?: (path: string, language: string) => Promise<unknown[]> };
  try {
    api = (await import(specifier)) as typeof api;
  } catch (cause) {
    throw new PipelineError(
      'ERR_CONFORMANCE',
      `${wasmPath}: cannot load tools/pipeline/src/verify/conformance.ts to run the conformance cases`,
      { cause },
    );
  }
  if (typeof api.runConformance !== 'function') {
    throw new PipelineError(
      'ERR_CONFORMANCE',
      'tools/pipeline/src/verify/conformance.ts exports no runConformance(wasmPath, language)',
    );
  }
  const results = await api.runConformance(wasmPath, language);
  return results.map(toCaseRun);
};
