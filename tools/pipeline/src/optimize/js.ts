// Fallback: npm binaryen's wasm-opt (compiled to JavaScript) in a child process, same command line.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { PipelineError } from '../errors.ts';
import { type WasmOptLevel, wasmOptArgs } from './wasm-opt-args.ts';

export function binaryenJsWasmOpt(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('binaryen/package.json')), 'bin', 'wasm-opt');
}

export async function runJsWasmOpt(
  input: string,
  output: string,
  level: WasmOptLevel,
  features: readonly string[] = [],
): Promise<void> {
  const bin = binaryenJsWasmOpt();
  const args = [bin, ...wasmOptArgs(input, output, level, features)];
  const result = await execa(process.execPath, args, { reject: false, all: true });
  if (result.exitCode !== 0) {
    const tail = (result.all ?? '').split('\n').filter(Boolean).slice(-3).join(' | ');
    throw new PipelineError(
      'ERR_WASM_OPT',
      `${input}: binaryen.js wasm-opt ${level} exited with code ${result.exitCode}: ${tail || 'no output'}`,
      {
        context: { argv: args, exitCode: result.exitCode, signal: result.signal, tail },
      },
    );
  }
}
