// 1. Build overhead: `nx run go:build --ver=<v> --skip-nx-cache --excludeTaskDependencies` (builder image
// present) against the bare `docker run <same image> go build ...` with the recipe's exact flags,
// environment, user and mounts. --skip-nx-cache alone would also re-run the tasks the stage depends on
// (@wasmhub/contract:build and @wasmhub/pipeline:build, tsc, ~6 s here) on every run, which a real
// build does not do: they are cache hits unless the pipeline's code changed (the prepare built them).
// Break-down without extra compiles: Nx's fixed cost is the same `nx run` answered from its cache
// (graph, hashing, restore), and `node tools/pipeline/dist/cli.js build --help` (a one-line usage error after
// loading the build stage's modules, dockerode excepted) is the start of the
// process Nx spawns for the stage (tools/nx-plugin/index.ts: `node tools/pipeline/dist/cli.js <stage> <lang>`).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { recipeFor } from '../tools/pipeline/src/compile/recipes.ts';
import { connectDocker } from '../tools/pipeline/src/docker/engine.ts';
import { ensureBuilderImage } from '../tools/pipeline/src/docker/image.ts';
import { containerOutputDir, containerUser } from '../tools/pipeline/src/docker/run-container.ts';
import { loadRuntimeConfig, selectVersions } from '../tools/pipeline/src/runtime/config.ts';
import { bareDockerRun, runProc } from './lib/proc.ts';
import { measure, type RuntimePartOptions, type Sample } from './lib/stats.ts';
import { benchDir, nx, nxEnv, wsRoot } from './lib/workspace.ts';

export interface BuildOverheadResult {
  lang: string;
  ver: string;
  image: string;
  nx: Sample;
  bare: Sample;
  nxCacheHit: Sample;
  cliStart: Sample;
}

export async function benchBuildOverhead(opts: RuntimePartOptions): Promise<BuildOverheadResult> {
  const { lang, ver } = opts;
  const config = await loadRuntimeConfig(lang, wsRoot);
  const version = selectVersions(config, ver)[0];
  if (!version) throw new Error(`${lang}@${ver} is not in runtimes/${lang}/runtime.json`);
  const docker = await connectDocker();
  const image = await ensureBuilderImage(docker, version.builder, { root: wsRoot });
  const recipe = recipeFor({
    kind: config.kind,
    language: lang,
    version,
    output: `${lang}-${ver}.wasm`,
    sourceDateEpoch: '1767225600',
  });
  const { user } = containerUser();
  let out = '';
  // The bare equivalent: the same container setup, the compiler called directly.
  const bareArgs = () =>
    bareDockerRun(
      {
        image: image.tag,
        user,
        workdir: '/src',
        env: recipe.env,
        mounts: [
          { host: join(wsRoot, 'runtimes', lang), container: '/src', readOnly: true },
          { host: out, container: '/out' },
        ],
      },
      config.kind === 'go'
        ? [
            version.toolchain,
            'build',
            '-trimpath',
            '-buildvcs=false',
            '-ldflags=-buildid=',
            '-o',
            `/out/${lang}-${ver}.wasm`,
            '.',
          ]
        : ['sh', '-c', 'cargo build --release --locked --offline --target wasm32-wasip1'],
    );
  const samples = await measure(
    [
      {
        name: 'bare',
        before: async () => {
          out = await containerOutputDir(benchDir, 'bare-out-');
        },
        run: async () => void (await runProc('docker', bareArgs())),
        after: async () => rm(out, { recursive: true, force: true }),
      },
      {
        name: 'nx',
        run: async () =>
          void (await nx(['run', `${lang}:build`, `--ver=${ver}`, '--skip-nx-cache', '--excludeTaskDependencies'])),
      },
    ],
    { runs: opts.runs, warmup: 1, log: opts.log, label: 'build' },
  );
  const fixed = await measure(
    [
      { name: 'nxCacheHit', run: async () => void (await nx(['run', `${lang}:build`, `--ver=${ver}`])) },
      {
        name: 'cli',
        run: async () =>
          void (await runProc(process.execPath, ['tools/pipeline/dist/cli.js', 'build', '--help'], {
            cwd: wsRoot,
            env: nxEnv,
          }).catch(() => undefined)),
      },
    ],
    { runs: opts.runs, warmup: 1, log: opts.log, label: 'build' },
  );
  return {
    lang,
    ver,
    image: image.tag,
    nx: samples.nx as Sample,
    bare: samples.bare as Sample,
    nxCacheHit: fixed.nxCacheHit as Sample,
    cliStart: fixed.cli as Sample,
  };
}
