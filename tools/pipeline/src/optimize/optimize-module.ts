// Optimizes one module: native wasm-opt in the builder image when an engine answers, binaryen.js otherwise.
import { stat } from 'node:fs/promises';
import type Docker from 'dockerode';
import { connectDocker } from '../docker/engine.ts';
import { PipelineError } from '../errors.ts';
import { type Emit, lineEmitter } from '../kit/events.ts';
import { replaceAtomic } from '../kit/files.ts';
import { runJsWasmOpt } from './js.ts';
import { runNativeWasmOpt } from './native.ts';
import { type WasmOptLevel, wasmOptFeatureFlags } from './wasm-opt-args.ts';

export type OptimizerEngine = 'native' | 'js';

export interface OptimizeModuleOptions {
  input: string;
  output: string;
  level: WasmOptLevel;
  /** The module's declared features (runtime.json); `exception-handling` adds --enable-exception-handling. */
  features?: readonly string[];
  /** Log prefix without brackets, e.g. `go@1.24`. */
  task: string;
  /** `auto` (default): native when an engine answers, else js. */
  engine?: OptimizerEngine | 'auto';
  /** Returns a connected engine or throws ERR_DOCKER_UNAVAILABLE (default connectDocker). */
  connect?: () => Promise<Docker>;
  log?: (line: string) => void;
}

export interface OptimizeResult {
  engine: OptimizerEngine;
  level: WasmOptLevel;
  inputSize: number;
  outputSize: number;
  /** Builder image tag when the native optimizer ran. */
  image?: string;
  durationMs: number;
}

async function pickEngine(
  options: OptimizeModuleOptions,
  emit: Emit,
): Promise<{ engine: OptimizerEngine; docker?: Docker }> {
  const wanted = options.engine ?? 'auto';
  if (wanted === 'js') return { engine: 'js' };
  try {
    return { engine: 'native', docker: await (options.connect ?? connectDocker)() };
  } catch (error) {
    if (wanted === 'native' || !(error instanceof PipelineError && error.code === 'ERR_DOCKER_UNAVAILABLE'))
      throw error;
    emit({ kind: 'wasm-opt.fallback', task: options.task, reason: error.message.split(':')[0] ?? error.message });
    return { engine: 'js' };
  }
}

/** An optimized module larger than its input is a failure: the level does not suit this module. */
export function assertNotLarger(input: string, level: string, inputSize: number, outputSize: number): void {
  if (outputSize > inputSize) {
    throw new PipelineError(
      'ERR_WASM_OPT',
      `${input}: wasm-opt ${level} made the module larger (${inputSize} -> ${outputSize} bytes): choose another "wasmOpt" level in runtime.json`,
      { context: { input, inputSize, outputSize, level } },
    );
  }
}

/**
 * Writes the optimized module to a temp file beside `output`, then renames it into place.
 * Fails with ERR_WASM_OPT when wasm-opt fails or its output is larger than the input.
 */
export async function optimizeModule(options: OptimizeModuleOptions): Promise<OptimizeResult> {
  const emit = lineEmitter(options.log);
  const { task, level } = options;
  const inputSize = (
    await stat(options.input).catch((cause) => {
      throw new PipelineError(
        'ERR_WASM_OPT',
        `${options.input}: no module to optimize (${(cause as NodeJS.ErrnoException).code}): run the build stage first`,
        { cause },
      );
    })
  ).size;
  const { engine, docker } = await pickEngine(options, emit);
  const started = performance.now();
  const flags = wasmOptFeatureFlags(options.features).join(' ');
  const { image, outputSize, durationMs } = await replaceAtomic(options.output, async (tmp) => {
    let image: string | undefined;
    if (engine === 'native' && docker) {
      emit({ kind: 'wasm-opt.start', task, level, flags, engine });
      image = (
        await runNativeWasmOpt({
          docker,
          input: options.input,
          output: tmp,
          level: options.level,
          ...(options.features ? { features: options.features } : {}),
          task: options.task,
          ...(options.log ? { log: options.log } : {}),
        })
      ).image;
    } else {
      emit({ kind: 'wasm-opt.start', task, level, flags, engine });
      await runJsWasmOpt(options.input, tmp, options.level, options.features);
    }
    const durationMs = Math.round(performance.now() - started);
    const outputSize = (await stat(tmp)).size;
    assertNotLarger(options.input, options.level, inputSize, outputSize);
    return { image, outputSize, durationMs };
  });
  emit({ kind: 'wasm-opt.done', task, inputSize, outputSize, ...(image ? { image } : {}), ms: durationMs });
  return { engine, level: options.level, inputSize, outputSize, ...(image ? { image } : {}), durationMs };
}
