// The one wasm-opt command line, shared by the native and the JS optimizer so both do the same thing.
import { PipelineError } from '../errors.ts';

export const WASM_OPT_LEVELS = ['-O0', '-O1', '-O2', '-O3', '-O4', '-Os', '-Oz'] as const;
export type WasmOptLevel = (typeof WASM_OPT_LEVELS)[number];
export const DEFAULT_WASM_OPT_LEVEL: WasmOptLevel = '-Oz';

export function normalizeLevel(level: string | undefined): WasmOptLevel {
  if (level === undefined) return DEFAULT_WASM_OPT_LEVEL;
  if ((WASM_OPT_LEVELS as readonly string[]).includes(level)) return level as WasmOptLevel;
  throw new PipelineError(
    'ERR_INVALID_OPTION',
    `wasm-opt level ${JSON.stringify(level)} is not one of ${WASM_OPT_LEVELS.join(', ')}`,
  );
}

/**
 * Post-MVP features wasm-opt may read and keep. Go and Rust modules carry no target_features section,
 * so wasm-opt cannot detect them: bulk memory is always on (Go and Rust use memory.copy/fill), and
 * Go 1.26+ emits non-trapping float-to-int conversions (`i64.trunc_sat_f64_s`), which wasm-opt 120
 * rejects ("all used features should be allowed") unless enabled. sign-ext and mutable-globals are
 * wasm-opt's defaults, listed so the command line says everything. Every wasip1 runtime supports all four.
 */
export const WASM_OPT_FEATURES = [
  '--enable-bulk-memory',
  '--enable-nontrapping-float-to-int',
  '--enable-sign-ext',
  '--enable-mutable-globals',
] as const;

/**
 * Features a module declares (runtime.json `features`, copied into its manifest entry) that wasm-opt
 * must be told about: clang's setjmp/longjmp (`-mllvm -wasm-enable-sjlj`, used by the C interpreters)
 * emits the legacy exception-handling instructions, which wasm-opt rejects unless enabled.
 */
export const WASM_OPT_FEATURE_FLAGS: Readonly<Record<string, string>> = {
  'exception-handling': '--enable-exception-handling',
};

/** The feature flags for a module: the common ones plus those its declared features need. */
export function wasmOptFeatureFlags(features: readonly string[] = []): string[] {
  const extra = features.flatMap((f) => (WASM_OPT_FEATURE_FLAGS[f] ? [WASM_OPT_FEATURE_FLAGS[f]] : []));
  return [...WASM_OPT_FEATURES, ...extra];
}

/** `wasm-opt <input> <level> --enable-bulk-memory --enable-nontrapping-float-to-int ... -o <output>` */
export function wasmOptArgs(
  input: string,
  output: string,
  level: WasmOptLevel,
  features: readonly string[] = [],
): string[] {
  return [input, level, ...wasmOptFeatureFlags(features), '-o', output];
}
