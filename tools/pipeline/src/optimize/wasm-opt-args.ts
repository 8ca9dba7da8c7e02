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

/** `wasm-opt <input> <level> --enable-bulk-memory -o <output>` */
export function wasmOptArgs(input: string, output: string, level: WasmOptLevel): string[] {
  return [input, level, '--enable-bulk-memory', '-o', output];
}
