// `pipeline metadata <lang>`: writes runtimes/<lang>/manifest.json from the verified modules.
// (--ver is accepted for symmetry but the manifest always describes every declared version.)
import { parseArgs } from 'node:util';
import { PipelineError } from '../errors.ts';
import { loadRuntimeConfig } from '../runtime/config.ts';
import { writeMetadata } from './write-metadata.ts';

export async function run(argv: string[]): Promise<void> {
  const { positionals } = parseArgs({
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
  await writeMetadata({ config, versions: config.versions });
}
