// verifyModule: every check on one module file, usable by the verify stage and again right before release.
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { PipelineError } from '../errors.ts';
import { assertConformance, type CaseResult, type RunConformanceOptions, runConformance } from './conformance.ts';
import { checkModuleBytes, type ModuleFacts } from './wasm-checks.ts';

/**
 * How the verify stage runs a module's conformance cases: runConformance's options (the suite, a
 * subset of cases, companion `env` and `preopens` for every case, timeout); the version and the
 * module's name in messages come from verifyModule itself.
 */
export type ConformanceOptions = Omit<RunConformanceOptions, 'version' | 'name'>;

export interface VerifyModuleOptions {
  /** Language whose conformance cases to run; without it only the static checks run. */
  language?: string;
  /** The module's version label: selects the cases that apply to it (minVersion/maxVersion). */
  version?: string;
  /** How to run the cases (default: the language's suite, as is); `false` skips running them. */
  conformance?: ConformanceOptions | false;
  /** Release-time integrity: the module must still have this size / digest. */
  expected?: { size?: number; sha256?: string };
  /** Name used in messages; defaults to the path relative to the current directory. */
  displayName?: string;
}

export interface ModuleVerification extends ModuleFacts {
  file: string;
  /** Conformance results (present when a language was given and running was not disabled). */
  cases?: CaseResult[];
}

/**
 * Reads `path` and checks: magic + version 1, WebAssembly.validate, WASI preview 1 command
 * (imports only from wasi_snapshot_preview1, exports _start and memory), optional expected size/sha256,
 * then the conformance cases against their expected outcomes.
 * Throws PipelineError ERR_WASM_INVALID / ERR_CONFORMANCE naming the file, the check, expected vs found.
 */
export async function verifyModule(path: string, options: VerifyModuleOptions = {}): Promise<ModuleVerification> {
  const file = options.displayName ?? (relative(process.cwd(), path) || path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new PipelineError(
      'ERR_WASM_INVALID',
      `${file}: check "read" failed: expected a readable module file, found ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
      {
        cause,
        context: { file, check: 'read' },
      },
    );
  }
  const facts = checkModuleBytes(file, bytes);
  const { expected } = options;
  if (expected?.size !== undefined && expected.size !== facts.size) {
    throw new PipelineError(
      'ERR_WASM_INVALID',
      `${file}: check "size" failed: expected ${expected.size} bytes, found ${facts.size}`,
      {
        context: { file, check: 'size', expected: expected.size, found: facts.size },
      },
    );
  }
  if (expected?.sha256 !== undefined && expected.sha256 !== facts.sha256) {
    throw new PipelineError(
      'ERR_WASM_INVALID',
      `${file}: check "sha256" failed: expected ${expected.sha256}, found ${facts.sha256}`,
      {
        context: { file, check: 'sha256', expected: expected.sha256, found: facts.sha256 },
      },
    );
  }
  const result: ModuleVerification = { file, ...facts };
  if (options.language && options.conformance !== false) {
    result.cases = await runConformance(path, options.language, {
      ...options.conformance,
      ...(options.version === undefined ? {} : { version: options.version }),
      name: file,
    });
    if (result.cases.length === 0) {
      throw new PipelineError(
        'ERR_CONFORMANCE',
        `${file}: check "conformance" failed: expected at least one case for ${options.language}, found none`,
      );
    }
    assertConformance(file, result.cases);
  }
  return result;
}
