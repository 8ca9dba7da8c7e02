// Native wasm-opt (Debian's binaryen) inside the builder image, through dockerode.
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { ensureBuilderImage } from '../docker/image.ts';
import { containerOutputDir, containerUser, runContainer } from '../docker/run-container.ts';
import { PipelineError } from '../errors.ts';
import { type WasmOptLevel, wasmOptArgs } from './wasm-opt-args.ts';

/** The builder image whose Dockerfile installs `binaryen` (docker/trixie.Dockerfile). */
export const WASM_OPT_IMAGE = 'trixie';

export interface NativeRunInput {
  docker: Docker;
  input: string;
  /** Output path on the host (the module is renamed there from a private folder beside it). */
  output: string;
  level: WasmOptLevel;
  /** The module's declared features (some need a wasm-opt flag, see wasmOptFeatureFlags). */
  features?: readonly string[];
  task: string;
  image?: string;
  log?: (line: string) => void;
}

/**
 * Runs wasm-opt in a throw-away container (network none, never root). It writes into a private folder
 * beside `output` (owned by the container user), and the result is renamed to `output`.
 */
export async function runNativeWasmOpt(input: NativeRunInput): Promise<{ image: string; imageId: string }> {
  const name = input.image ?? process.env.WASMHUB_WASM_OPT_IMAGE ?? WASM_OPT_IMAGE;
  const image = await ensureBuilderImage(input.docker, name, input.log ? { log: input.log } : {});
  const { user } = containerUser();
  const outDir = await containerOutputDir(dirname(input.output), '.wasm-opt-');
  try {
    const produced = basename(input.output);
    const cmd = [
      'wasm-opt',
      ...wasmOptArgs(`/in/${basename(input.input)}`, `/out/${produced}`, input.level, input.features),
    ];
    const result = await runContainer(input.docker, {
      image: image.tag,
      cmd,
      mounts: [
        { host: input.input, container: `/in/${basename(input.input)}`, readOnly: true },
        { host: outDir, container: '/out' },
      ],
      user,
      workdir: '/tmp',
      task: input.task,
      network: 'none',
      labels: { 'org.wasmhub.stage': 'optimize' },
      ...(input.log ? { log: (line: string) => input.log?.(line) } : {}),
    });
    if (result.exitCode !== 0) {
      throw new PipelineError(
        'ERR_WASM_OPT',
        `${input.input}: native wasm-opt ${input.level} exited with code ${result.exitCode} in ${image.tag}: ${result.tail.slice(-3).join(' | ') || 'no output'}`,
        { context: { cmd, exitCode: result.exitCode, tail: result.tail, image: image.tag } },
      );
    }
    await rename(join(outDir, produced), input.output);
    return { image: image.tag, imageId: image.id };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
