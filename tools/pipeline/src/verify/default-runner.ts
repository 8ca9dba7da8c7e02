// Adapts the runtimes engineer's conformance.ts (runConformance over runtimes/conformance.json, each
// case in its own node:wasi child process) to the CaseRun shape the verify stage compares.
import type { CaseRun, CaseRunner } from './cases.ts';
import { type CaseResult, runConformance } from './conformance.ts';

export function toCaseRun(result: CaseResult): CaseRun {
  const { actual } = result;
  const more = result.mismatches.length > 1 ? ` (and ${result.mismatches.length - 1} more)` : '';
  return {
    name: result.name,
    args: result.args,
    actual: {
      stdout: actual.stdout,
      stderr: actual.stderr,
      exitCode: actual.exitCode,
      files: actual.files,
      ...(actual.error ? { error: actual.error } : {}),
    },
    ...(result.ok ? {} : { failure: `${result.mismatches[0] ?? 'did not match the expected outcome'}${more}` }),
  };
}

export const conformanceRunner: CaseRunner = async (wasmPath, language, version) =>
  (await runConformance(wasmPath, language, version === undefined ? {} : { version })).map(toCaseRun);
