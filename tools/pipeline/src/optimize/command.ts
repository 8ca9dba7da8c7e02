// `pipeline optimize <lang> [--ver v] [--engine auto|native|js]`: build/<lang>/<lang>-<ver>.wasm -> build/<lang>/opt/.
import { connectDocker } from '../docker/engine.ts';
import { PipelineError } from '../errors.ts';
import { optWasmPath, rawWasmPath } from '../paths.ts';
import { loadRuntimeConfig, selectVersions } from '../runtime/config.ts';
import { parseStageArgs } from '../stage-args.ts';
import { type OptimizerEngine, optimizeModule } from './optimize-module.ts';
import { normalizeLevel } from './wasm-opt-args.ts';

const engines = ['auto', 'native', 'js'] as const;

export async function run(argv: string[]): Promise<void> {
  const { lang, ver, values } = parseStageArgs('optimize', argv, {
    engine: { type: 'string', default: process.env.WASMHUB_OPTIMIZER ?? 'auto' },
  });
  const engine = values.engine as (typeof engines)[number];
  if (!engines.includes(engine)) {
    throw new PipelineError('ERR_INVALID_OPTION', `--engine=${values.engine}: expected one of ${engines.join(', ')}`);
  }
  const config = await loadRuntimeConfig(lang);
  // One engine connection for every version of the run.
  let docker: Awaited<ReturnType<typeof connectDocker>> | undefined;
  const connect = async () => {
    docker ??= await connectDocker();
    return docker;
  };
  for (const v of selectVersions(config, ver)) {
    await optimizeModule({
      input: rawWasmPath(lang, v.label),
      output: optWasmPath(lang, v.label),
      level: normalizeLevel(v.wasmOpt),
      features: v.features,
      task: `${lang}@${v.label}`,
      engine: engine as OptimizerEngine | 'auto',
      connect,
    });
  }
}
