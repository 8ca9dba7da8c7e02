// 3. Optimize: the optimize stage's function (optimizeModule, native engine: engine check, builder
// image check, dockerode container create/attach/start/wait/remove, temp file + rename) against
// `docker run --rm <same image> wasm-opt <same args>` on the same module.

import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { connectDocker } from '../tools/pipeline/src/docker/engine.ts';
import { ensureBuilderImage } from '../tools/pipeline/src/docker/image.ts';
import { containerOutputDir, containerUser } from '../tools/pipeline/src/docker/run-container.ts';
import { sha256Hex } from '../tools/pipeline/src/kit/digest.ts';
import { WASM_OPT_IMAGE } from '../tools/pipeline/src/optimize/native.ts';
import { optimizeModule } from '../tools/pipeline/src/optimize/optimize-module.ts';
import { normalizeLevel, wasmOptArgs } from '../tools/pipeline/src/optimize/wasm-opt-args.ts';
import { bareDockerRun, runProc } from './lib/proc.ts';
import { measure, type PartOptions, type Sample } from './lib/stats.ts';
import { benchDir } from './lib/workspace.ts';

export interface OptimizeResult {
  module: string;
  level: string;
  inputSize: number;
  outputSize: number;
  identical: boolean;
  stage: Sample;
  direct: Sample;
  /** `docker run --rm <image> true`: the container's own start/stop cost. */
  emptyContainer: Sample;
}

export async function benchOptimize(
  opts: PartOptions & { module: string; level: string | undefined },
): Promise<OptimizeResult> {
  const level = normalizeLevel(opts.level);
  const dir = await mkdtemp(join(benchDir, 'opt-'));
  try {
    const input = join(dir, basename(opts.module));
    await copyFile(opts.module, input);
    const out = await containerOutputDir(dir, 'out-');
    const { user } = containerUser();
    const docker = await connectDocker();
    const image = await ensureBuilderImage(docker, WASM_OPT_IMAGE);
    const digests = new Set<string>();
    const sha = async (f: string) => sha256Hex(await readFile(f));
    const samples = await measure(
      [
        {
          name: 'direct',
          run: async () =>
            void (await runProc(
              'docker',
              bareDockerRun(
                {
                  image: image.tag,
                  user,
                  mounts: [
                    { host: input, container: `/in/${basename(input)}`, readOnly: true },
                    { host: out, container: '/out' },
                  ],
                },
                ['wasm-opt', ...wasmOptArgs(`/in/${basename(input)}`, '/out/direct.wasm', level)],
              ),
            )),
          after: async () => void digests.add(await sha(join(out, 'direct.wasm'))),
        },
        {
          name: 'stage',
          run: async () =>
            void (await optimizeModule({
              input,
              output: join(dir, 'stage.wasm'),
              level,
              task: 'bench',
              engine: 'native',
              log: () => {},
            })),
          after: async () => void digests.add(await sha(join(dir, 'stage.wasm'))),
        },
        {
          name: 'empty',
          run: async () => void (await runProc('docker', ['run', '--rm', '--network', 'none', image.tag, 'true'])),
        },
      ],
      { runs: opts.runs, warmup: 1, log: opts.log, label: 'optimize' },
    );
    return {
      module: opts.module,
      level,
      inputSize: (await stat(input)).size,
      outputSize: (await stat(join(dir, 'stage.wasm'))).size,
      identical: digests.size === 1,
      stage: samples.stage as Sample,
      direct: samples.direct as Sample,
      emptyContainer: samples.empty as Sample,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
