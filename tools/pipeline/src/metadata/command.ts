// `pipeline metadata <lang> [--ver v]`: writes runtimes/<lang>/manifest.json from the verified modules.
// Without --ver it describes every version runtime.json declares; with --ver only that one (the CI
// matrix runs one job per version and merges the per-version manifests afterwards).
import { parseArgs } from 'node:util';
import { PipelineError } from '../errors.ts';
import { loadRuntimeConfig, selectVersions } from '../runtime/config.ts';
import { writeMetadata } from './write-metadata.ts';

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ver: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [lang] = positionals;
  if (!lang || positionals.length > 1) {
    throw new PipelineError(
      'ERR_INVALID_OPTION',
      `metadata expects one language, got ${JSON.stringify(positionals)}: run \`pipeline metadata <lang>\``,
    );
  }
  const config = await loadRuntimeConfig(lang);
  await writeMetadata({ config, versions: selectVersions(config, values.ver) });
}
